package vkpay_test

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/vkpay"
)

func TestVectorsSignDecodedSortedValues(t *testing.T) {
	for _, v := range loadVotesVectors(t) {
		t.Run(v.ID, func(t *testing.T) {
			params, err := form.Parse(v.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got := vkpay.Sign(params, v.Secret); got != v.ExpectedSig {
				t.Fatalf("Sign = %s, want %s", got, v.ExpectedSig)
			}
			sum := md5.Sum([]byte(v.Concatenated + v.Secret))
			if hex.EncodeToString(sum[:]) != v.ExpectedSig {
				t.Fatalf("vector's concatenated string does not give its sig")
			}
			if v.WrongIfEncoded != "" && v.WrongIfEncoded == v.ExpectedSig {
				t.Fatalf("percent-encoded variant must differ")
			}
		})
	}
}

func TestVectorsVerifyThroughParse(t *testing.T) {
	for _, v := range loadVotesVectors(t) {
		t.Run(v.ID, func(t *testing.T) {
			params, err := form.Parse(v.Body)
			if err != nil {
				t.Fatal(err)
			}
			appID := int64(1)
			if id := params.Get("app_id"); id != "" && id != "1" {
				var n int64
				for _, c := range id {
					n = n*10 + int64(c-'0')
				}
				appID = n
			}
			c, err := vkpay.New(vkpay.Config{AppID: appID, Secret: v.Secret})
			if err != nil {
				t.Fatal(err)
			}
			params.Set("sig", v.ExpectedSig)
			_, err = c.ParseValues(params)
			switch v.ID {
			case "votes-vksdk-1":
				if !errors.Is(err, paykit.ErrUnknownType) {
					t.Fatalf("want ErrUnknownType after a valid sig, got %v", err)
				}
			case "votes-empty":
				if !errors.Is(err, paykit.ErrMalformed) {
					t.Fatalf("want ErrMalformed (no app_id) after a valid sig, got %v", err)
				}
			default:
				if err != nil {
					t.Fatalf("ParseValues: %v", err)
				}
			}
			if v.WrongIfEncoded != "" {
				params.Set("sig", v.WrongIfEncoded)
				if _, err := c.ParseValues(params); !errors.Is(err, paykit.ErrInvalidSignature) {
					t.Fatalf("percent-encoded sig must not verify, got %v", err)
				}
			}
		})
	}
}
