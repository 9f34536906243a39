package server

import (
	"net/http"

	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
)

// logRoutes serves the node's transparency log, public because it holds no
// personal data: the published checkpoint with its cosignatures, the C2SP
// tlog-tiles, the node's checkpoint key, and the node as a witness of other
// nodes' logs (C2SP tlog-witness add-checkpoint).
func (s *Server) logRoutes() []httpx.Route {
	var tiles http.Handler
	if s.app.TLog != nil {
		tiles = s.app.TLog.Handler(s.app.DB.Read())
	}
	serveLog := func(w http.ResponseWriter, r *http.Request) {
		if tiles == nil {
			httpx.WriteError(w, r, errs.E("server.log", errs.NotFound, "this node keeps no transparency log"))
			return
		}
		tiles.ServeHTTP(w, r)
	}
	return []httpx.Route{
		{Method: "GET", Pattern: "/log/checkpoint", Perm: auth.Public, API: true, Summary: "the latest published checkpoint of the log, with its cosignatures (C2SP signed note)", Handler: serveLog},
		{Method: "GET", Pattern: "/log/tile/{path...}", Perm: auth.Public, API: true, Summary: "log tiles and entry bundles (C2SP tlog-tiles)", Handler: serveLog},
		{Method: "GET", Pattern: "/log/key", Perm: auth.Public, API: true, Summary: "the signed-note verifier key of this node's checkpoints and cosignatures", Handler: s.logKey},
		{Method: "POST", Pattern: app.WitnessPath + "/add-checkpoint", Perm: auth.Public, API: true, Summary: "co-sign a checkpoint of a log this node witnesses (C2SP tlog-witness)", Handler: s.witnessAdd},
	}
}

func (s *Server) logKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.app.LogKey()
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(k + "\n"))
}

func (s *Server) witnessAdd(w http.ResponseWriter, r *http.Request) {
	wit, err := s.app.Witness(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	http.StripPrefix(app.WitnessPath, wit.Handler()).ServeHTTP(w, r)
}
