from inko_mini.cli.fast import main

main()
