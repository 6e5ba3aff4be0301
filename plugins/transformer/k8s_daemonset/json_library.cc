// Boost.JSON compiled into this plugin (its header-only mode, in this one file): the host links
// Boost statically and without -fPIC, so a plugin cannot share it; with hidden visibility this
// copy stays private to the plugin.
#include <boost/json/src.hpp>
