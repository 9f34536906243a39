package december

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

// TestPrintFull runs the full December and prints the result as JSON when
// LIFELINE_DECEMBER is set (it is a measurement, not a check).
func TestPrintFull(t *testing.T) {
	if os.Getenv("LIFELINE_DECEMBER") == "" {
		t.Skip("set LIFELINE_DECEMBER=1 to run the full December")
	}
	res, err := Run(context.Background(), Options{DB: os.Getenv("LIFELINE_BENCH_DB"), Progress: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	json.NewEncoder(os.Stdout).Encode(res)
}
