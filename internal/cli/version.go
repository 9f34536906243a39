package cli

import (
	"fmt"

	"lifeline/internal/config"
	"runtime"
)

func cmdVersion(e *Env, args []string) error {
	var cfg config.Config // accepted like every command's, not needed
	fs := e.flags("version", "version", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "lifeline %s %s %s/%s\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
