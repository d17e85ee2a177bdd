package secrets_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/secrets"
)

func TestRotation(t *testing.T) {
	prev := []string{"old1", "old2"}
	got, err := secrets.Rotation("Secret", "new", prev)
	require.NoError(t, err)
	assert.Equal(t, []string{"new", "old1", "old2"}, got)
	got[1] = "x"
	assert.Equal(t, "old1", prev[0], "the caller's slice is not shared")

	_, err = secrets.Rotation("Secret", "", nil)
	var fe *paykit.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Secret", fe.Field)
	_, err = secrets.Rotation("Secret", "new", []string{"old", ""})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "PreviousSecrets[1]", fe.Field)
	assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
}
