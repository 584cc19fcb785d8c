"""职称申报: the applicant's pages of the applications service, one module per screen group."""
from gateway.pages.applications import (
    committee,
    draft,
    exports,
    interviews,
    notices,
    overview,
    review,
    start,
    summaries,
)

# notices before review: /reviews/notices is not an application id.
ROUTERS = [overview.router, start.router, draft.router, summaries.router, notices.router, review.router, interviews.router,
           committee.router, exports.router]
