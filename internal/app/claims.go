package app

import (
	"context"

	"lifeline/internal/claims"
	"lifeline/internal/errs"
)

// ClaimLogCount recounts what a claim asserts from the transparency log: the
// entries of the claim's event type (acceptance_refused, repatriated or
// delivered) about the records it links to, among the entries of the
// latest published checkpoint, after auditing that checkpoint (LogStats).
// A node that keeps no log, or has published no checkpoint yet, gets a
// count with an empty checkpoint, which verifies nothing. Call it outside
// any transaction and pass the result to store.Tx.SetClaimStatus.
func (a *App) ClaimLogCount(ctx context.Context, c *claims.Claim) (*claims.LogCount, error) {
	const op = "app.ClaimLogCount"
	lc := &claims.LogCount{Type: claims.LogType(c.Subject)}
	if a.TLog == nil || lc.Type == "" {
		return lc, nil
	}
	st, err := a.LogStats(ctx, StatQuery{Type: lc.Type})
	if errs.Is(err, errs.NotFound) {
		return lc, nil
	}
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	refs, err := a.DB.ClaimLogRefs(ctx, c)
	if err != nil {
		return nil, err
	}
	cp := st.Checkpoint
	lc.Checkpoint = claims.Checkpoint{Origin: cp.Origin, Size: cp.Size, Hash: cp.Hash}
	if lc.Entries, lc.Count, err = a.DB.LogCount(ctx, a.TLog, cp.Size, lc.Type, refs); err != nil {
		return nil, err
	}
	return lc, nil
}
