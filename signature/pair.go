package signature

// Pair is one decoded key=value of a signed form, as the sorted-MD5
// verifiers take them.
type Pair struct{ Key, Value string }
