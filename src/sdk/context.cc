#include "callpath/context.h"

namespace callpath {
namespace {
Context& CurrentSlot() noexcept {
  thread_local Context current;
  return current;
}
}  // namespace

const Context& Context::Current() noexcept { return CurrentSlot(); }

Scope::Scope(Context context) noexcept {
  Context& slot = CurrentSlot();
  previous_ = std::move(slot);
  slot = std::move(context);
}

Scope::~Scope() { CurrentSlot() = std::move(previous_); }

}  // namespace callpath
