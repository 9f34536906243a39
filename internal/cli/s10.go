package cli

import (
	"fmt"

	"lifeline/internal/errs"
	"lifeline/internal/s10"
)

// cmdS10 is `lifeline s10 check ID...`: one line per id, exit 0 only when
// all are valid.
func cmdS10(e *Env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(e.Stderr, "Usage: lifeline s10 check ID...")
		return errUsage
	}
	fs := e.flags("s10 check", "s10 check ID...", nil)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	ok := true
	for _, id := range fs.Args() {
		if err := s10.Validate(id); err != nil {
			ok = false
			fmt.Fprintf(e.Stdout, "%s\tinvalid\t%s\n", id, errs.MessageOf(err))
			continue
		}
		fmt.Fprintf(e.Stdout, "%s\tvalid\n", id)
	}
	if !ok {
		return errSilent
	}
	return nil
}
