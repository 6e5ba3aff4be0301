#include "plugins/namer/fs/fs_namer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ferry/sdk/json.h"

namespace ferry::plugins::namer::fs {
namespace stdfs = std::filesystem;

namespace {

std::vector<std::string> splitWords(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

bool parsePort(const std::string& s, uint16_t* out) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  int v = std::stoi(s);
  if (v < 1 || v > 65535) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

bool parseWeight(const std::string& s, double* out) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !(v >= 0)) return false;
  *out = v;
  return true;
}

}  // namespace

ServiceFile parseServiceFile(const std::string& text) {
  ServiceFile out;
  out.exists = true;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    auto words = splitWords(line);
    if (words.empty()) continue;
    sdk::Address a;
    bool ok = (words.size() == 2 || (words.size() == 4 && words[2] == "*")) && parsePort(words[1], &a.port) &&
              (words.size() == 2 || parseWeight(words[3], &a.weight));
    if (!ok) {
      out.errors.push_back("line " + std::to_string(number) + ": expected 'host port' or 'host port * weight', got '" +
                           line + "'");
      continue;
    }
    a.host = words[0];
    out.addresses.push_back(std::move(a));
  }
  return out;
}

/** Removes its observer when destroyed. */
class FsNamer::ObserverHandle final : public sdk::Watch {
 public:
  ObserverHandle(FsNamer& namer, uint64_t id, std::weak_ptr<bool> alive) : namer_(namer), id_(id), alive_(alive) {}
  ~ObserverHandle() override {
    if (alive_.lock()) namer_.removeObserver(id_);
  }

 private:
  FsNamer& namer_;
  uint64_t id_;
  std::weak_ptr<bool> alive_;
};

FsNamer::FsNamer(std::string rootDir, const sdk::NamerContext& context)
    : rootDir_(std::move(rootDir)),
      idPrefix_(context.idPrefix),
      host_(*context.host),
      lookups_(context.host->stats().counter("lookups")),
      updates_(context.host->stats().counter("updates")),
      malformedLines_(context.host->stats().counter("malformed_lines")) {}

FsNamer::~FsNamer() { *alive_ = false; }

sdk::Status FsNamer::start() {
  std::weak_ptr<bool> alive = alive_;
  auto watch = host_.fileWatcher().watchTree(rootDir_, [this, alive](const std::string& rel) {
    if (alive.lock()) onFileChanged(rel);
  });
  if (!watch) return watch.status();
  watch_ = std::move(watch).value();
  return sdk::Status::ok();
}

const ServiceFile& FsNamer::serviceFile(const std::string& relative) {
  auto it = files_.find(relative);
  if (it != files_.end()) return it->second;
  ServiceFile file;
  std::ifstream in(rootDir_ + "/" + relative);
  if (in) {
    std::stringstream buf;
    buf << in.rdbuf();
    file = parseServiceFile(buf.str());
    for (const auto& e : file.errors) {
      malformedLines_.incr();
      host_.logger().warning(rootDir_ + "/" + relative + ": " + e + " (line skipped)");
    }
  }
  return files_.emplace(relative, std::move(file)).first->second;
}

sdk::NameActivity FsNamer::resolve(const sdk::Path& path) {
  using Tree = sdk::NameTree<sdk::Name>;
  std::string rel;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& element = path[i];
    if (element == "." || element == "..") return sdk::NameActivity::ok(Tree::neg());
    rel += (rel.empty() ? "" : "/") + element;
    std::error_code ec;
    auto status = stdfs::status(rootDir_ + "/" + rel, ec);
    if (stdfs::is_directory(status)) continue;
    if (!stdfs::is_regular_file(status)) return sdk::NameActivity::ok(Tree::neg());
    const ServiceFile& file = serviceFile(rel);
    if (file.addresses.empty()) return sdk::NameActivity::ok(Tree::neg());
    sdk::BoundName bound{idPrefix_.concat(path.take(i + 1)), path.drop(i + 1),
                         sdk::AddrState::bound(file.addresses)};
    return sdk::NameActivity::ok(Tree::leaf(sdk::Name(std::move(bound))));
  }
  return sdk::NameActivity::ok(Tree::neg());
}

sdk::WatchPtr FsNamer::lookup(const sdk::Path& path, sdk::NameObserver observer) {
  lookups_.incr();
  uint64_t id = nextObserverId_++;
  auto obs = std::make_shared<Observer>(Observer{path, std::move(observer), {}, false});
  observers_[id] = obs;
  obs->last = resolve(path);
  obs->delivered = true;
  obs->callback(obs->last);
  return std::make_unique<ObserverHandle>(*this, id, alive_);
}

void FsNamer::removeObserver(uint64_t id) { observers_.erase(id); }

void FsNamer::onFileChanged(const std::string& relative) {
  // Drop the changed file, and everything under it when a directory moved or vanished.
  for (auto it = files_.begin(); it != files_.end();) {
    bool under = it->first == relative || it->first.rfind(relative + "/", 0) == 0;
    it = under ? files_.erase(it) : std::next(it);
  }
  // Editors write in bursts (truncate, write, rename): settle for a few ms, then re-resolve.
  if (refreshTimer_) return;
  std::weak_ptr<bool> alive = alive_;
  refreshTimer_ = host_.mainDispatcher().schedule(std::chrono::milliseconds(5), [this, alive] {
    if (!alive.lock()) return;
    refreshTimer_.reset();
    refreshObservers();
  });
}

void FsNamer::refreshObservers() {
  // Observers may add or remove observers from their callbacks: iterate over a copy.
  auto snapshot = observers_;
  for (auto& [id, obs] : snapshot) {
    if (!observers_.count(id)) continue;
    auto next = resolve(obs->path);
    if (obs->delivered && next == obs->last) continue;
    obs->last = next;
    obs->delivered = true;
    updates_.incr();
    obs->callback(obs->last);
  }
}

std::string FsNamer::stateJson() const {
  std::string out = "{\"rootDir\":" + sdk::jsonQuote(rootDir_) + ",\"observers\":" + std::to_string(observers_.size()) +
                    ",\"files\":{";
  bool first = true;
  for (const auto& [rel, file] : files_) {
    out += std::string(first ? "" : ",") + sdk::jsonQuote(rel) + ":{\"exists\":" + (file.exists ? "true" : "false") +
           ",\"addresses\":[";
    for (std::size_t i = 0; i < file.addresses.size(); ++i) {
      const auto& a = file.addresses[i];
      out += std::string(i ? "," : "") + "{\"ip\":" + sdk::jsonQuote(a.host) + ",\"port\":" + std::to_string(a.port) +
             ",\"weight\":" + std::to_string(a.weight) + "}";
    }
    out += "],\"errors\":[";
    for (std::size_t i = 0; i < file.errors.size(); ++i) out += std::string(i ? "," : "") + sdk::jsonQuote(file.errors[i]);
    out += "]}";
    first = false;
  }
  return out + "}}";
}

std::vector<sdk::Path> FsNamer::boundNames() const {
  std::vector<sdk::Path> out;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(rootDir_, ec); !ec && it != stdfs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::vector<std::string> elements;
    for (const auto& part : stdfs::relative(it->path(), rootDir_)) elements.push_back(part.string());
    out.push_back(idPrefix_.concat(sdk::Path(std::move(elements))));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ferry::plugins::namer::fs
