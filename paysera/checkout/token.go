package checkout

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// TokenPath is the OAuth2 token endpoint under the API base.
const TokenPath = "/auth/realms/Paysera/protocol/openid-connect/token"

// token is a cached access token.
type token struct {
	value   string
	renewAt time.Time // when a call stops using it and asks for a new one
}

// renewal is one token request in flight; every caller that needs a token
// meanwhile waits for it instead of asking too.
type renewal struct {
	done chan struct{}
	tok  token
	err  error
}

// tokenReply is the token endpoint's answer.
type tokenReply struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// errTokenReply: the token endpoint answered 2xx without a usable token.
var errTokenReply = errors.New("checkout: token endpoint answered without an access token")

// accessToken returns a token valid for a while yet, asking the token
// endpoint when the cached one is missing or due for renewal. Only one
// request is in flight at a time.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	for {
		c.tokMu.Lock()
		if c.tok.value != "" && c.now().Before(c.tok.renewAt) {
			v := c.tok.value
			c.tokMu.Unlock()
			return v, nil
		}
		r, owner := c.renewal, false
		if r == nil {
			r, owner = &renewal{done: make(chan struct{})}, true
			c.renewal = r
		}
		c.tokMu.Unlock()
		if owner {
			return c.renew(ctx, r)
		}
		if c.onWait != nil {
			c.onWait()
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if r.err == nil {
			return r.tok.value, nil
		}
		// The owner's own context ended: this caller, still running, asks
		// again rather than failing with someone else's cancellation.
		if !errors.Is(r.err, context.Canceled) && !errors.Is(r.err, context.DeadlineExceeded) {
			return "", r.err
		}
	}
}

// renew requests a token for r and publishes it.
func (c *Client) renew(ctx context.Context, r *renewal) (string, error) {
	r.tok, r.err = c.requestToken(ctx)
	c.tokMu.Lock()
	if r.err == nil {
		c.tok = r.tok
	}
	c.renewal = nil
	c.tokMu.Unlock()
	close(r.done)
	return r.tok.value, r.err
}

// invalidate forgets used if it is still the cached token, so that the
// next call renews it (after a 401). A token renewed meanwhile is kept.
func (c *Client) invalidate(used string) {
	c.tokMu.Lock()
	if c.tok.value == used {
		c.tok = token{}
	}
	c.tokMu.Unlock()
}

// requestToken asks the token endpoint for a client-credentials token,
// with the same retries as every call.
func (c *Client) requestToken(ctx context.Context) (token, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret},
	}
	req := request{method: http.MethodPost, path: TokenPath, body: []byte(form.Encode()),
		contentType: "application/x-www-form-urlencoded", idempotent: true}
	var tr tokenReply
	obtained := c.now()
	if err := c.send(ctx, req, "", &tr); err != nil {
		return token{}, err
	}
	if tr.AccessToken == "" || (tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer")) {
		return token{}, errTokenReply
	}
	return token{value: tr.AccessToken, renewAt: renewAt(obtained, tr.ExpiresIn)}, nil
}

// renewAt is when a token obtained at t and valid for expiresIn seconds
// is renewed: [TokenRenewBefore] ahead of its expiry, or halfway through a
// lifetime shorter than twice that. A token without a lifetime is used for
// one call only.
func renewAt(t time.Time, expiresIn int64) time.Time {
	if expiresIn <= 0 {
		return t
	}
	life := time.Duration(min(expiresIn, 1<<32)) * time.Second
	if life < 2*TokenRenewBefore {
		return t.Add(life / 2)
	}
	return t.Add(life - TokenRenewBefore)
}

func redactBasic(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}
