//go:build race

package paykit_test

// raceEnabled reports whether the race detector is on: heavy single-threaded
// tests shrink under it, as it slows them tenfold without finding more.
const raceEnabled = true
