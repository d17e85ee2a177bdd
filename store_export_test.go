package paykit

// SetWaitHook installs f as s's test hook: it is called each time a Do of s
// is about to wait for another attempt of the same key.
func SetWaitHook(s *MemoryStore, f func(key string)) { s.onWait = f }
