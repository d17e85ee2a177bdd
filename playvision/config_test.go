package playvision_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
)

func TestNewRejectsInvalidConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   playvision.Config
		field string
	}{
		{"no app id", playvision.Config{Secret: "s"}, "AppID"},
		{"negative app id", playvision.Config{AppID: -1, Secret: "s"}, "AppID"},
		{"no secret", playvision.Config{AppID: 1}, "Secret"},
		{"empty previous secret", playvision.Config{AppID: 1, Secret: "s", PreviousSecrets: []string{""}}, "PreviousSecrets[0]"},
		{"unknown domain", playvision.Config{AppID: 1, Secret: "s", Domain: "evil.example"}, "Domain"},
		{"relative base URL", playvision.Config{AppID: 1, Secret: "s", BaseURL: "/v1"}, "BaseURL"},
		{"base URL with query", playvision.Config{AppID: 1, Secret: "s", BaseURL: "https://x.example/?a=1"}, "BaseURL"},
		{"ftp base URL", playvision.Config{AppID: 1, Secret: "s", BaseURL: "ftp://x.example"}, "BaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := playvision.New(tt.cfg)
			require.ErrorIs(t, err, paykit.ErrInvalidRequest)
			var fe *paykit.FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tt.field, fe.Field)
			assert.NotContains(t, err.Error(), "secret-value")
		})
	}
}

func TestNewAcceptsBothDomains(t *testing.T) {
	for _, d := range []string{"", playvision.DomainPlayvision, playvision.DomainPlayvis} {
		c, err := playvision.New(playvision.Config{AppID: 7, Secret: "s", Domain: d})
		require.NoError(t, err)
		assert.Equal(t, int64(7), c.AppID())
	}
}
