package playvision

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// TestFailureRendersEveryClassAsStatusMinusOne pins the answer to each
// failure class: always HTTP 200 with {"status":"-1"} and the class's fixed
// message; an unknown user is told apart from an unknown item by the
// error.
func TestFailureRendersEveryClassAsStatusMinusOne(t *testing.T) {
	p := &protocol{}
	tests := []struct {
		class callback.Class
		err   error
		want  string
	}{
		{callback.TooLarge, nil, MessageTooLarge},
		{callback.MissingSignature, nil, MessageMissingSignature},
		{callback.InvalidSignature, nil, MessageInvalidSignature},
		{callback.WrongAccount, nil, MessageWrongApp},
		{callback.UnknownType, nil, MessageUnknownType},
		{callback.Malformed, nil, MessageMalformed},
		{callback.Rejected, nil, MessageUnknownItem},
		{callback.Rejected, paykit.ErrUnknownItem, MessageUnknownItem},
		{callback.Rejected, fmt.Errorf("lookup: %w", paykit.ErrUnknownUser), MessageUnknownUser},
		{callback.Retry, nil, MessageTemporary},
		{callback.Failed, errors.New("password=hunter2"), MessageFailed},
		{callback.Class(0), nil, MessageFailed},
	}
	for _, tt := range tests {
		rep := p.Failure(tt.class, nil, tt.err)
		if rep.Status != http.StatusOK || rep.ContentType != ContentType {
			t.Errorf("class %d: status %d, content type %q", tt.class, rep.Status, rep.ContentType)
		}
		if got, want := string(rep.Body), string(FailureReply(tt.want)); got != want {
			t.Errorf("class %d, err %v: body %s, want %s", tt.class, tt.err, got, want)
		}
	}
}
