package vkpaytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/paykit-go/paykit/internal/emulator"
)

// envelope is VK's answer shape: {"response":…} or {"error":…}.
type envelope struct {
	Response json.RawMessage `json:"response"`
	Error    *struct {
		Code     int    `json:"error_code"`
		Msg      string `json:"error_msg"`
		Critical bool   `json:"critical"`
	} `json:"error"`
}

// judge reads an answer as VK does: {"response":…} is success, a critical
// error is final, anything else — an HTTP error, a non-critical error,
// garbage — is resent.
func judge(status int, body []byte) emulator.Verdict {
	if status != http.StatusOK {
		return emulator.Verdict{Outcome: emulator.Retrying, Why: "HTTP " + strconv.Itoa(status)}
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return emulator.Verdict{Outcome: emulator.Retrying, Why: "answer is not JSON"}
	}
	switch {
	case env.Error != nil:
		msg := fmt.Sprintf("error %d: %s", env.Error.Code, env.Error.Msg)
		if env.Error.Critical {
			return emulator.Verdict{Outcome: emulator.Refused, Why: msg}
		}
		return emulator.Verdict{Outcome: emulator.Retrying, Why: msg}
	case len(env.Response) == 0 || string(env.Response) == "null":
		return emulator.Verdict{Outcome: emulator.Retrying, Why: "answer has neither response nor error"}
	}
	return emulator.Verdict{Outcome: emulator.Delivered}
}

// response returns the "response" of an accepted answer.
func response(reply string) json.RawMessage {
	var env envelope
	_ = json.Unmarshal([]byte(reply), &env)
	return env.Response
}

// judgeOrder is judge plus VK's check that an accepted order_status_change
// answer echoes the order's id.
func judgeOrder(id int64) func(int, []byte) emulator.Verdict {
	return func(status int, body []byte) emulator.Verdict {
		v := judge(status, body)
		if v.Outcome != emulator.Delivered {
			return v
		}
		var r struct {
			OrderID int64 `json:"order_id"`
		}
		if err := json.Unmarshal(response(string(body)), &r); err != nil || r.OrderID != id {
			return emulator.Verdict{Outcome: emulator.Retrying, Why: "answer does not echo order_id"}
		}
		return v
	}
}
