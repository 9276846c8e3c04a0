#include "http/standard_handler.hpp"

namespace iam::http {

Handler StandardHandler(const Router& router, const StandardHandlerOptions& options) {
  std::vector<Middleware> chain = {
      RequestId(),
      AccessLog(options.durations),
      ErrorMapping(),
      SecurityHeaders({.production = options.production}),
      // Development accepts any localhost origin, as the old backend did; production only the list.
      Cors({.allowed_origins = options.cors_origins, .allow_localhost = !options.production}),
  };
  return Chain(std::move(chain), [&router](RequestContext& ctx) { return router.Dispatch(ctx); });
}

}  // namespace iam::http
