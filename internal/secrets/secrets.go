// Package secrets builds the list of secrets a provider client verifies
// with: the current one first, then the previous ones still accepted
// during a rotation.
package secrets

import (
	"strconv"

	"github.com/paykit-go/paykit"
)

// Rotation returns current followed by previous, refusing an empty current
// secret (field names it in the error) and an empty previous one: anyone
// can forge a signature under an empty secret. The result is a new slice.
func Rotation(field, current string, previous []string) ([]string, error) {
	if current == "" {
		return nil, &paykit.FieldError{Field: field, Reason: "required"}
	}
	out := make([]string, 0, 1+len(previous))
	out = append(out, current)
	for i, s := range previous {
		if s == "" {
			return nil, &paykit.FieldError{Field: "PreviousSecrets[" + strconv.Itoa(i) + "]", Reason: "must not be empty"}
		}
		out = append(out, s)
	}
	return out, nil
}
