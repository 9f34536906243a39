package store

// InsertLater lets the tests of package store_test put rows aside.
var InsertLater = (*Tx).insertLater
