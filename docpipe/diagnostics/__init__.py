"""What an operator checks before trusting a host: `docpipe doctor` (``doctor``), the
offline self-test (``egress``) and the socket guard it and the test suite share
(``guard``)."""
