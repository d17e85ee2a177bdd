package paykit

// ParseDigits parses a non-negative decimal integer written as 1 to 18
// ASCII digits: no sign, no spaces, no exponent, and so no overflow. It is
// the strict syntax the provider packages use for ids and amounts in
// notifications, where strconv would also accept a leading '+'.
func ParseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
