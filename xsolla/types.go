package xsolla

import (
	"encoding/json"

	"github.com/paykit-go/paykit"
)

// Notification types (the webhook's notification_type), spec §3d.
const (
	TypeUserValidation         = "user_validation"
	TypeUserSearch             = "user_search"
	TypePayment                = "payment"
	TypeRefund                 = "refund"
	TypePartialRefund          = "partial_refund"
	TypeUpgradeRefund          = "upgrade_refund"
	TypeOrderPaid              = "order_paid"
	TypeOrderCanceled          = "order_canceled"
	TypeAFSReject              = "afs_reject"
	TypeAFSBlackList           = "afs_black_list"
	TypeCreateSubscription     = "create_subscription"
	TypeUpdateSubscription     = "update_subscription"
	TypeCancelSubscription     = "cancel_subscription"
	TypeNonRenewalSubscription = "non_renewal_subscription"
	TypeUserBalanceOperation   = "user_balance_operation"
	TypePaymentAccountAdd      = "payment_account_add"
	TypePaymentAccountRemove   = "payment_account_remove"
	TypeGetPinCode             = "get_pincode"
	TypeRedeemKey              = "redeem_key"
	TypePartnerSideCatalog     = "partner_side_catalog"
	TypeDispute                = "dispute"
)

// Settings is the webhook's settings object: the project and merchant it
// is for.
type Settings struct {
	ProjectID  ID `json:"project_id"`
	MerchantID ID `json:"merchant_id"`
}

// User is the webhook's user object. Order webhooks (order_paid,
// order_canceled) send ExternalID instead of ID.
type User struct {
	ID         ID     `json:"id"`
	PublicID   ID     `json:"public_id"`
	ExternalID ID     `json:"external_id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	IP         string `json:"ip"`
	Country    string `json:"country"`
	// CountryCode is user.country_code (dispute).
	CountryCode string `json:"country_code"`
}

// Amount is a money object {currency, amount} as sent.
type Amount struct {
	Currency string  `json:"currency"`
	Amount   Decimal `json:"amount"`
}

// Money converts a into minor units of its currency.
func (a Amount) Money() (paykit.Money, error) { return a.Amount.Minor(a.Currency) }

// Tax is a tax line of payment_details (vat, sales_tax, direct_wht).
type Tax struct {
	Currency string  `json:"currency"`
	Amount   Decimal `json:"amount"`
	Percent  Decimal `json:"percent"`
}

// Purchase is the purchase object of payment and refund webhooks. Any of
// its parts may be absent.
type Purchase struct {
	VirtualCurrency *VirtualCurrency      `json:"virtual_currency,omitempty"`
	Checkout        *Amount               `json:"checkout,omitempty"`
	VirtualItems    *VirtualItems         `json:"virtual_items,omitempty"`
	Subscription    *PurchaseSubscription `json:"subscription,omitempty"`
	Total           *Amount               `json:"total,omitempty"`
	Promotions      []Promotion           `json:"promotions,omitempty"`
	Coupon          *Coupon               `json:"coupon,omitempty"`
	PinCodes        json.RawMessage       `json:"pin_codes,omitempty"`
	Gift            json.RawMessage       `json:"gift,omitempty"`
}

// VirtualCurrency is purchase.virtual_currency.
type VirtualCurrency struct {
	Name     string  `json:"name"`
	SKU      string  `json:"sku"`
	Quantity Decimal `json:"quantity"`
	Currency string  `json:"currency"`
	Amount   Decimal `json:"amount"`
}

// VirtualItems is purchase.virtual_items: the items bought and their price.
type VirtualItems struct {
	Items    []VirtualItem `json:"items"`
	Currency string        `json:"currency"`
	Amount   Decimal       `json:"amount"`
}

// VirtualItem is one purchased item; Amount is the quantity.
type VirtualItem struct {
	SKU    string  `json:"sku"`
	Amount Decimal `json:"amount"`
}

// PurchaseSubscription is purchase.subscription.
type PurchaseSubscription struct {
	PlanID         ID      `json:"plan_id"`
	SubscriptionID ID      `json:"subscription_id"`
	ProductID      ID      `json:"product_id"`
	DateCreate     string  `json:"date_create"`
	Currency       string  `json:"currency"`
	Amount         Decimal `json:"amount"`
}

// Promotion is an applied promotion.
type Promotion struct {
	TechnicalName string `json:"technical_name"`
	ID            ID     `json:"id"`
}

// Coupon is a redeemed coupon.
type Coupon struct {
	CouponCode   string `json:"coupon_code"`
	CampaignCode string `json:"campaign_code"`
}

// Transaction is the transaction object. ID is Xsolla's transaction id,
// the idempotency key of payment and refund webhooks; ExternalID is the
// merchant's settings.external_id echoed back.
type Transaction struct {
	ID                   ID     `json:"id"`
	ExternalID           ID     `json:"external_id"`
	PaymentDate          string `json:"payment_date"`
	PaymentMethod        ID     `json:"payment_method"`
	PaymentMethodName    string `json:"payment_method_name"`
	PaymentMethodOrderID ID     `json:"payment_method_order_id"`
	// DryRun is set (1) on sandbox transactions and absent on live ones.
	DryRun    Flag   `json:"dry_run"`
	Agreement ID     `json:"agreement"`
	Date      string `json:"date"` // partial_refund
	// DateCreate, Total and CountryCode are sent with dispute: when the
	// payment was made, its amount and the user's country.
	DateCreate  string  `json:"date_create"`
	Total       *Amount `json:"total,omitempty"`
	CountryCode string  `json:"country_code"`
}

// PaymentDetails is the payment_details object: what the user paid, fees,
// taxes and the payout.
type PaymentDetails struct {
	Payment                *Amount `json:"payment,omitempty"`
	PaymentMethodSum       *Amount `json:"payment_method_sum,omitempty"`
	XsollaBalanceSum       *Amount `json:"xsolla_balance_sum,omitempty"`
	Payout                 *Amount `json:"payout,omitempty"`
	XsollaFee              *Amount `json:"xsolla_fee,omitempty"`
	PaymentMethodFee       *Amount `json:"payment_method_fee,omitempty"`
	RepatriationCommission *Amount `json:"repatriation_commission,omitempty"`
	CountryWHT             *Amount `json:"country_wht,omitempty"`
	UserAcquisitionFee     *Amount `json:"user_acquisition_fee,omitempty"`
	VAT                    *Tax    `json:"vat,omitempty"`
	SalesTax               *Tax    `json:"sales_tax,omitempty"`
	DirectWHT              *Tax    `json:"direct_wht,omitempty"`
	// PayoutCurrencyRate is a number in old payloads and a string in new.
	PayoutCurrencyRate Decimal `json:"payout_currency_rate,omitempty"`
}

// RefundDetails says why money went back. Code is 1–13 (see the package
// documentation for the table).
type RefundDetails struct {
	Code   ID     `json:"code"`
	Reason string `json:"reason"`
	Author string `json:"author"`
}

// Subscription is the subscription object of subscription webhooks.
type Subscription struct {
	PlanID         ID       `json:"plan_id"`
	SubscriptionID ID       `json:"subscription_id"`
	ProductID      ID       `json:"product_id"`
	Tags           []string `json:"tags"`
	DateCreate     string   `json:"date_create"`
	DateNextCharge string   `json:"date_next_charge"`
	DateEnd        string   `json:"date_end"`
	Trial          *Trial   `json:"trial,omitempty"`
	Currency       string   `json:"currency"`
	Amount         Decimal  `json:"amount"`
}

// Trial is a subscription's trial period.
type Trial struct {
	Value ID     `json:"value"`
	Type  string `json:"type"`
}

// OrderItem is one item of an order webhook. Quantity and Amount may be
// numbers or strings. Amount is, as Xsolla documents items.amount, the
// total cost of the Quantity items (not the price of one), in
// order.currency; it may differ from the catalog price through exchange
// rates and fees.
type OrderItem struct {
	SKU              string          `json:"sku"`
	Type             string          `json:"type"`
	IsPreOrder       Flag            `json:"is_pre_order"`
	Quantity         Decimal         `json:"quantity"`
	Amount           Decimal         `json:"amount"`
	Promotions       json.RawMessage `json:"promotions,omitempty"`
	CustomAttributes json.RawMessage `json:"custom_attributes,omitempty"`
}

// Order is the order object of order_paid and order_canceled. Mode is
// "sandbox" for test orders.
type Order struct {
	ID           ID              `json:"id"`
	Mode         string          `json:"mode"`
	CurrencyType string          `json:"currency_type"`
	Currency     string          `json:"currency"`
	Amount       Decimal         `json:"amount"`
	Status       string          `json:"status"`
	Platform     string          `json:"platform"`
	Comment      string          `json:"comment"`
	InvoiceID    ID              `json:"invoice_id"`
	Promotions   json.RawMessage `json:"promotions,omitempty"`
	Promocodes   json.RawMessage `json:"promocodes,omitempty"`
	Coupons      json.RawMessage `json:"coupons,omitempty"`
}

// VirtualCurrencyBalance is the balance change of user_balance_operation.
type VirtualCurrencyBalance struct {
	OldValue Decimal `json:"old_value"`
	NewValue Decimal `json:"new_value"`
	Diff     Decimal `json:"diff"`
}

// PaymentAccount is a saved card or account (payment_account_add/remove).
type PaymentAccount struct {
	ID             ID              `json:"id"`
	Name           string          `json:"name"`
	Type           string          `json:"type"`
	CardExpiryDate json.RawMessage `json:"card_expiry_date,omitempty"`
}

// PinCodeRequest is the pin_code object of get_pincode.
type PinCodeRequest struct {
	DigitalContent string `json:"digital_content"`
	DRM            string `json:"DRM"`
}

// DisputeDetails is the dispute object of the dispute webhook. Reason is
// e.g. "fraud" or "not_as_described", Type e.g. "retrieval" or
// "1st_time_chargeback", Status the dispute's status ("new", …).
type DisputeDetails struct {
	IncomingDate string `json:"incoming_date"`
	Reason       string `json:"reason"`
	Type         string `json:"type"`
	Status       string `json:"status"`
}
