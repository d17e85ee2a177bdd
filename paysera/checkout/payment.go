package checkout

import (
	"context"
	"fmt"
)

// PaymentRequest is what [Client.BuildPaymentURL] needs: the order, and
// optionally the link's settings.
type PaymentRequest struct {
	// Order is the order to create (its Reference, Amount and CallbackURL
	// are required).
	Order OrderRequest
	// OrderID reuses an order created earlier (a [LinkError]'s OrderID)
	// instead of creating one; Order.Amount still gives the link's amount.
	OrderID string
	// Link sets the link's page; its OrderID is filled in, an empty Name
	// becomes "Order <reference>" and a zero Amount the order's amount.
	Link LinkRequest
}

// LinkError is returned by [Client.BuildPaymentURL] when the order was
// created but its link was not: retry with PaymentRequest.OrderID set to
// OrderID rather than creating a second order (Paysera has no idempotency
// keys).
type LinkError struct {
	// OrderID is Paysera's id of the order created.
	OrderID string
	// Err is why the link was not created.
	Err error
}

// Error names the order and the cause.
func (e *LinkError) Error() string {
	return fmt.Sprintf("checkout: order %s created, payment link failed: %v", e.OrderID, e.Err)
}

// Unwrap returns the cause.
func (e *LinkError) Unwrap() error { return e.Err }

// BuildPaymentURL creates what a payment needs — the order (unless
// PaymentRequest.OrderID names one) and a payment link for it — and
// returns the URL to send the payer to. Input is validated before any
// call (*paykit.FieldError); a failed link after a created order is a
// *[LinkError].
func (c *Client) BuildPaymentURL(ctx context.Context, req PaymentRequest) (string, error) {
	link := req.Link
	if link.Name == "" {
		link.Name = "Order " + req.Order.Reference
	}
	if link.Amount == 0 {
		link.Amount = req.Order.Amount.Amount
	}
	link.OrderID = first(req.OrderID, "pending")
	if err := validLink(link); err != nil {
		return "", err
	}
	orderID := req.OrderID
	if orderID == "" {
		o, err := c.CreateOrder(ctx, req.Order)
		if err != nil {
			return "", err
		}
		orderID = o.ID
	}
	link.OrderID = orderID
	l, err := c.CreatePaymentLink(ctx, link)
	if err != nil {
		return "", &LinkError{OrderID: orderID, Err: err}
	}
	return l.URL, nil
}
