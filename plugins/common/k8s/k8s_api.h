#pragma once
// The parts of the Kubernetes API (core/v1) that the io.l5d.k8s namers read, as plain values:
// Endpoints and Service objects, the lists that start a watch, and the events of a watch
// stream. No I/O here, so every parser can be unit-tested and fuzzed on bytes alone.
//
//   GET /api/v1/namespaces/<ns>/endpoints[?labelSelector=]           an EndpointsList
//   GET /api/v1/namespaces/<ns>/endpoints?watch=true&resourceVersion=&allowWatchBookmarks=true
//                                                                    one watch event per line
//   (the same for services)
//
// Kubernetes API reference: "API Concepts" (efficient detection of changes, watch bookmarks,
// 410 Gone) and the Endpoints and Service resources.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::plugins::kube {

/** One ready address of an Endpoints subset (notReadyAddresses are left out). */
struct EndpointAddress {
  std::string ip;
  std::string nodeName;
  friend bool operator==(const EndpointAddress&, const EndpointAddress&) = default;
};

/** A set of addresses that all serve the same ports. */
struct EndpointSubset {
  std::vector<EndpointAddress> addresses;
  /** TCP ports by name; a port without a name is under "". */
  std::map<std::string, int> ports;
  friend bool operator==(const EndpointSubset&, const EndpointSubset&) = default;
};

struct EndpointsObject {
  std::string name;
  std::vector<EndpointSubset> subsets;
  friend bool operator==(const EndpointsObject&, const EndpointsObject&) = default;
};

/** A Service port: `port` on the service, `targetPort` on its pods (a number or a port name). */
struct ServicePort {
  std::string name;
  int port = 0;
  int targetPortNumber = 0;       ///< 0: not a number
  std::string targetPortName;     ///< "": not a name
  friend bool operator==(const ServicePort&, const ServicePort&) = default;
};

struct ServiceObject {
  std::string name;
  std::vector<ServicePort> ports;
  /** status.loadBalancer.ingress: each entry's ip, or its hostname when it has no ip. */
  std::vector<std::string> ingress;
  friend bool operator==(const ServiceObject&, const ServiceObject&) = default;
};

/** A parse result: the value, or why the document was refused. */
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;
};

template <typename T>
struct ObjectList {
  std::string resourceVersion;
  std::vector<T> items;
};

Parsed<ObjectList<EndpointsObject>> parseEndpointsList(std::string_view json);
Parsed<ObjectList<ServiceObject>> parseServiceList(std::string_view json);

/** One line of a watch stream. */
template <typename T>
struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Error };
  Type type = Type::Added;
  std::string resourceVersion;  ///< the object's (Bookmark: the only thing it carries)
  std::optional<T> object;      ///< Added, Modified, Deleted
  int errorCode = 0;            ///< Error: the Status code (410: the resourceVersion is too old)
  std::string errorMessage;
};

Parsed<WatchEvent<EndpointsObject>> parseEndpointsEvent(std::string_view json);
Parsed<WatchEvent<ServiceObject>> parseServiceEvent(std::string_view json);

/** Which objects of a collection: a label selector (`version=v1`) and a field selector
 *  (`metadata.name=l5d`, one object); either may be empty. */
struct Selectors {
  std::string labels;
  std::string fields;
};

/** `/api/v1/namespaces/<ns>/<resource>` with the list or watch parameters. */
std::string listTarget(const std::string& ns, const std::string& resource, const Selectors& selectors);
std::string watchTarget(const std::string& ns, const std::string& resource, const Selectors& selectors,
                        const std::string& resourceVersion, int timeoutSeconds);

}  // namespace ferry::plugins::kube
