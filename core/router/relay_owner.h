#pragma once
// RelayOwner: what a Relay needs from whoever runs it (a RouterWorker today): its event loop and
// a word when it is done. The relay sees this and nothing else of the worker, so the two no
// longer include each other. Thread: the owner's worker.

namespace ferry::core::events {
class EventLoop;
}

namespace ferry::core::router {

class Relay;

class RelayOwner {
 public:
  /** The loop the relay's timers run on. */
  virtual events::EventLoop& loop() = 0;
  /** The relay finished (response ended or reset): the owner frees it once no call of its is on the stack. */
  virtual void relayFinished(Relay* relay) = 0;

 protected:
  ~RelayOwner() = default;
};

}  // namespace ferry::core::router
