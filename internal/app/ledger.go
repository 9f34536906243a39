package app

import (
	"context"

	"lifeline/internal/errs"
	"lifeline/internal/ledger"
)

// Ledger computes the reciprocity ledger and backs it with the
// transparency log: the latest published checkpoint, audited as LogStats
// does, and on each row the log's own counts of what it holds entries for
// (ledger.Ledger.Back). A node that keeps no log, or has published no
// checkpoint yet, gets the ledger with a nil Checkpoint. The HXL CSV is
// written from store.DB.Ledger, which this leaves as it is.
func (a *App) Ledger(ctx context.Context) (*ledger.Ledger, error) {
	const op = "app.Ledger"
	l, err := a.DB.Ledger(ctx)
	if err != nil {
		return nil, err
	}
	if a.TLog == nil {
		return l, nil
	}
	st, err := a.LogStats(ctx, StatQuery{})
	if errs.Is(err, errs.NotFound) {
		return l, nil
	}
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	cp := st.Checkpoint
	l.Back(ledger.Checkpoint{Origin: cp.Origin, Size: cp.Size, Hash: cp.Hash}, st.Stats)
	return l, nil
}
