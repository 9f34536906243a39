package cli

import (
	"fmt"
	"runtime"
)

func cmdVersion(e *Env, args []string) error {
	fs := e.flags("version", "version", nil)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "lifeline %s %s %s/%s\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
