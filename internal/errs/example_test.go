package errs_test

import (
	"errors"
	"fmt"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/errs"
)

// The root package's sentinels are these values, so an error from package
// signature matches paykit.ErrInvalidSignature.
func Example() {
	fmt.Println(errors.Is(errs.ErrInvalidSignature, paykit.ErrInvalidSignature))
	// Output: true
}
