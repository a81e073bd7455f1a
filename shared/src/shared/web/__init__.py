"""Server-rendered caseworker pages: the `Pages` helper, one base template, security and formatting."""
