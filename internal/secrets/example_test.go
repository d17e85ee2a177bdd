package secrets_test

import (
	"fmt"

	"github.com/paykit-go/paykit/internal/secrets"
)

// During a rotation the new secret is tried first, then the old ones.
func ExampleRotation() {
	list, err := secrets.Rotation("Secret", "new", []string{"old"})
	fmt.Println(list, err)
	_, err = secrets.Rotation("Secret", "new", []string{""})
	fmt.Println(err)
	// Output:
	// [new old] <nil>
	// paykit: invalid request: PreviousSecrets[0]: must not be empty
}
