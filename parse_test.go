package paykit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit"
)

func TestParseDigits(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"0042", 42, true},
		{"999999999999999999", 999999999999999999, true},
		{"1000000000000000000", 0, false}, // 19 digits: could overflow
		{"", 0, false},
		{"+1", 0, false},
		{"-1", 0, false},
		{" 1", 0, false},
		{"1e3", 0, false},
		{"1.0", 0, false},
		{"١", 0, false}, // Arabic-Indic digit
	}
	for _, tt := range tests {
		got, ok := paykit.ParseDigits(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}
