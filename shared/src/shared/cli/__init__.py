"""The `casework` command."""
