"""Pure helpers used by the actions; testable without a tracker."""
