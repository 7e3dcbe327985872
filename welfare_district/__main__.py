"""`python -m welfare_district` runs the `welfare` command."""

from welfare_district.cli import main

main()
