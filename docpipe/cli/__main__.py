from docpipe.cli.main import main

main()
