// Command lifeline is the Lifeline node: registry, family mail,
// consignments, repatriation, name search and the verifiable log.
package main

import (
	"context"
	"os"

	"lifeline/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
