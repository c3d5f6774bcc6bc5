from inko_mini.cli import main

main()
