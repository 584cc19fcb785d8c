"""职称申报: the applicant's pages of the applications service, one module per screen group."""
from gateway.pages.applications import committee, draft, exports, interviews, overview, review, start, summaries

ROUTERS = [overview.router, start.router, draft.router, summaries.router, review.router, interviews.router,
           committee.router, exports.router]
