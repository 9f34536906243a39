// Package federation holds the end-to-end test of a federated deployment:
// party A, the intermediary and party B as three `lifeline serve` processes
// on loopback, each with its own database and node key, exchanging signed
// bundles over HTTP. It has no code of its own.
package federation
