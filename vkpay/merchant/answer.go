package merchant

import (
	"encoding/base64"
	"encoding/json"
)

// Notify types of a success answer (spec B.4).
const (
	NotifyDelivered = "payment_delivered"
	NotifyDeclined  = "payment_declined"
	// NotifyTransactionStatus is the notify_type of error answers.
	NotifyTransactionStatus = "TRANSACTION_STATUS"
)

// ErrorCode is the code of an error answer.
type ErrorCode string

// The error codes of spec B.4.
const (
	// ErrSystem: a failure on your side; VK Pay resends.
	ErrSystem ErrorCode = "ERR_SYSTEM"
	// ErrArguments, ErrSignature and ErrDuplicate stop the resends.
	ErrArguments ErrorCode = "ERR_ARGUMENTS"
	ErrSignature ErrorCode = "ERR_SIGNATURE"
	ErrDuplicate ErrorCode = "ERR_DUPLICATE"
)

// Answer is the JSON reply to a notification:
// {"version":"2-03","data":"<base64 JSON>","signature":"<hex>"}.
type Answer struct {
	Version   string `json:"version"`
	Data      string `json:"data"`
	Signature string `json:"signature"`
}

type answerHeader struct {
	Status   string       `json:"status"`
	TS       int64        `json:"ts"`
	ClientID int64        `json:"client_id"`
	Error    *answerError `json:"error,omitempty"`
}

type answerError struct {
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
}

type answerBody struct {
	TransactionID string          `json:"transaction_id"`
	NotifyType    string          `json:"notify_type"`
	StoreInfo     json.RawMessage `json:"store_info,omitempty"`
}

// Ack returns the signed success answer for a notification:
// notify_type payment_delivered, or payment_declined when declined.
func (c *Client) Ack(transactionID string, declined bool) ([]byte, error) {
	typ := NotifyDelivered
	if declined {
		typ = NotifyDeclined
	}
	return c.answer(answerBody{TransactionID: transactionID, NotifyType: typ},
		answerHeader{Status: "OK"})
}

// ErrorAnswer returns the signed error answer. ErrSystem makes VK Pay
// resend; the other codes stop it. message must not contain secrets.
func (c *Client) ErrorAnswer(transactionID string, code ErrorCode, message string) ([]byte, error) {
	return c.answer(answerBody{TransactionID: transactionID, NotifyType: NotifyTransactionStatus},
		answerHeader{Status: "ERROR", Error: &answerError{Code: code, Message: message}})
}

func (c *Client) answer(body answerBody, header answerHeader) ([]byte, error) {
	header.TS = c.cfg.Now().Unix()
	header.ClientID = c.clientID()
	js, err := json.Marshal(struct {
		Body   answerBody   `json:"body"`
		Header answerHeader `json:"header"`
	}{body, header})
	if err != nil {
		return nil, err
	}
	data := base64.StdEncoding.EncodeToString(js)
	return json.Marshal(Answer{
		Version:   ProtocolVersion,
		Data:      data,
		Signature: AnswerSignature(data, c.cfg.MerchantKey, c.cfg.Hash),
	})
}
