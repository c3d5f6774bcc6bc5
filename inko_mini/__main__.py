from inko_mini.fastcli import main

main()
