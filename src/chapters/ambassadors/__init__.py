"""Ambassador programs: nominations, reviewed terms, renewals, alumni and the directory."""
