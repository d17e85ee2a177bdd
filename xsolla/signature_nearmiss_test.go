package xsolla

import (
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/stretchr/testify/assert"
)

// flipHex changes the hex digit at i into another valid lower-case digit.
func flipHex(s string, i int) string {
	c := byte('0')
	if s[i] == '0' {
		c = '1'
	}
	return s[:i] + string(c) + s[i+1:]
}

// TestSignatureNearMissesRefused: a digest one digit off at either end, a
// near miss in upper case, truncated or extended is refused under every
// header spelling the tolerant parser accepts, so that a comparison of
// fewer than all 20 bytes cannot pass.
func TestSignatureNearMissesRefused(t *testing.T) {
	body := `{"notification_type":"payment","settings":{"project_id":18404},"transaction":{"id":42}}`
	good := strings.TrimPrefix(sign(body, testSecret), "Signature ")
	mutations := map[string]string{
		"first digit":             flipHex(good, 0),
		"second digit":            flipHex(good, 1),
		"first byte":              flipHex(flipHex(good, 0), 1),
		"last digit":              flipHex(good, 39),
		"last byte":               flipHex(flipHex(good, 38), 39),
		"middle digit":            flipHex(good, 20),
		"near miss in upper case": strings.ToUpper(flipHex(good, 39)),
		"first digit, upper case": strings.ToUpper(flipHex(good, 0)),
		"truncated":               good[:39],
		"truncated by a byte":     good[:38],
		"extended by a digit":     good + "0",
		"extended by a byte":      good + "00",
		"rotated":                 good[1:] + good[:1],
		"other secret":            strings.TrimPrefix(sign(body, testSecret+"x"), "Signature "),
		"secret appended twice":   strings.TrimPrefix(sign(body+testSecret, testSecret), "Signature "),
		"empty body":              strings.TrimPrefix(sign("", testSecret), "Signature "),
	}
	prefixes := map[string]string{
		"Signature":          "Signature ",
		"lower-case scheme":  "signature ",
		"upper-case scheme":  "SIGNATURE ",
		"blanks around":      " \tSignature ",
		"no scheme":          "",
		"scheme, two spaces": "Signature  ",
	}
	c := newTestClient(t)
	strict := newTestClient(t, func(c *Config) { c.StrictSignatureHeader = true })
	for pname, prefix := range prefixes {
		for mname, sig := range mutations {
			t.Run(pname+"/"+mname, func(t *testing.T) {
				header := prefix + sig
				for _, cl := range []*Client{c, strict} {
					_, err := cl.ParseBody([]byte(body), authHeader(header))
					assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
					if err != nil {
						assert.NotContains(t, err.Error(), good)
					}
				}
				assert.ErrorIs(t, Verify([]byte(body), header, "other", testSecret), paykit.ErrInvalidSignature)
			})
		}
	}
	// The same spellings with the right digest verify (tolerant parser),
	// so the refusals above come from the comparison, not the header.
	for _, prefix := range []string{"Signature ", "signature ", "SIGNATURE ", " \tSignature "} {
		_, err := c.ParseBody([]byte(body), authHeader(prefix+good))
		assert.NoError(t, err, prefix)
		_, err = c.ParseBody([]byte(body), authHeader(prefix+strings.ToUpper(good)))
		assert.NoError(t, err, prefix+" upper-case hex")
	}
}
