# ferry_add_plugin(NAME <name> CATEGORY <category> SOURCES <files...> [LIBS <targets...>]
#                  [OUTPUT_DIR <dir>] [NO_INSTALL])
#
# Builds plugins/<category>/<name> as the shared object ferry-<category>-<name>.so in
# OUTPUT_DIR (default ${FERRY_PLUGIN_OUTPUT_DIR}, which ferry searches by default). Symbols are hidden except the boot symbol, and -z defs makes the
# link fail if the plugin reaches for anything but the SDK, the C++ runtime and its own LIBS:
# the proof that plugins never depend on core symbols.
function(ferry_add_plugin)
  cmake_parse_arguments(P "NO_INSTALL" "NAME;CATEGORY;OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  if(NOT P_OUTPUT_DIR)
    set(P_OUTPUT_DIR ${FERRY_PLUGIN_OUTPUT_DIR})
  endif()
  set(target ferry-${P_CATEGORY}-${P_NAME})
  add_library(${target} MODULE ${P_SOURCES})
  set_property(GLOBAL APPEND PROPERTY FERRY_PLUGIN_TARGETS ${target})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR})
  target_link_options(${target} PRIVATE -Wl,-z,defs)
  target_link_libraries(${target} PRIVATE ferry::sdk ${P_LIBS})
  # Plugin sources include their own headers as "plugins/<category>/<name>/x.h" (and the shared
  # ones as "plugins/common/..."). The include root holds nothing but a link to the plugins
  # folder, so a header of the host's (core/...) cannot be included by mistake: plugins see the
  # SDK and plugins/, nothing else. A plugin built out of tree includes its own folder.
  if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/plugins)
    set(root ${CMAKE_BINARY_DIR}/plugin-include-root)
    if(NOT EXISTS ${root}/plugins)
      file(MAKE_DIRECTORY ${root})
      file(CREATE_LINK ${CMAKE_SOURCE_DIR}/plugins ${root}/plugins SYMBOLIC)
    endif()
    target_include_directories(${target} PRIVATE ${root})
  endif()
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  if(NOT P_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION lib/ferry/plugins)
  endif()
endfunction()
