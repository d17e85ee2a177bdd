package xsolla

import "strings"

// Field-by-field decoders of the webhook objects, on the reader in
// jsonscan.go. Unknown keys are skipped (validated, not stored); they stay
// available in Message.Raw.

// Keys of the objects that decide the account, the type, the id and the
// test flag. A key that differs from one of them only in case is refused
// (skipUnknown): encoding/json, which a merchant may run on Message.Raw,
// would read "Settings" as settings.
var (
	envelopeKeys = []string{"notification_type", "settings", "user", "custom_parameters", "purchase",
		"transaction", "payment_details", "refund_details", "subscription", "coupon", "items", "order",
		"billing", "virtual_currency_balance", "operation_type", "id_operation", "items_operation_type",
		"payment_account", "pin_code", "key", "sku", "user_id", "activation_date", "user_country", "restriction",
		"action", "dispute"}
	settingsKeys    = []string{"project_id", "merchant_id"}
	transactionKeys = []string{"id", "external_id", "payment_date", "payment_method", "payment_method_name",
		"payment_method_order_id", "dry_run", "agreement", "date", "date_create", "total", "country_code"}
)

// skipUnknown skips the value of an unmodelled key k, failing when k is a
// case variant of one of the modelled keys known.
func (r *reader) skipUnknown(k []byte, known []string) {
	for _, kk := range known {
		if len(kk) == len(k) && strings.EqualFold(kk, string(k)) {
			r.fail("key differs from a known key only in case")
			return
		}
	}
	r.skip()
}

func decodeEnvelope(body []byte, e *envelope) error {
	r := newReader(body)
	if r.peek() != '{' {
		r.fail("body is not a JSON object")
		return r.err
	}
	r.object(func(k []byte) {
		switch string(k) {
		case "notification_type":
			e.Type = r.str()
		case "settings":
			r.settings(&e.Settings)
		case "user":
			r.user(&e.User)
		case "custom_parameters":
			e.CustomParameters = r.raw()
		case "purchase":
			r.purchase(&e.Purchase)
		case "transaction":
			r.transaction(&e.Transaction)
		case "payment_details":
			r.paymentDetails(&e.PaymentDetails)
		case "refund_details":
			r.refundDetails(&e.RefundDetails)
		case "subscription":
			r.subscription(&e.Subscription)
		case "coupon":
			r.coupon(&e.Coupon)
		case "items":
			e.Items = r.raw()
		case "order":
			r.order(&e.Order)
		case "billing":
			e.Billing = r.raw()
		default:
			r.envelopeOther(k, e)
		}
	})
	r.end()
	return r.err
}

func (r *reader) user(u *User) {
	r.object(func(k []byte) {
		switch string(k) {
		case "id":
			u.ID = ID(r.str())
		case "public_id":
			u.PublicID = ID(r.str())
		case "external_id":
			u.ExternalID = ID(r.str())
		case "name":
			u.Name = r.str()
		case "email":
			u.Email = r.str()
		case "phone":
			u.Phone = r.str()
		case "ip":
			u.IP = r.str()
		case "country":
			u.Country = r.str()
		case "country_code":
			u.CountryCode = r.str()
		default:
			r.skip()
		}
	})
}

// amount decodes a {currency, amount} object; null gives nil.
func (r *reader) amount() *Amount {
	if r.null() {
		return nil
	}
	a := &Amount{}
	r.object(func(k []byte) {
		switch string(k) {
		case "currency":
			a.Currency = r.str()
		case "amount":
			a.Amount = Decimal(r.str())
		default:
			r.skip()
		}
	})
	return a
}

func (r *reader) tax() *Tax {
	if r.null() {
		return nil
	}
	t := &Tax{}
	r.object(func(k []byte) {
		switch string(k) {
		case "currency":
			t.Currency = r.str()
		case "amount":
			t.Amount = Decimal(r.str())
		case "percent":
			t.Percent = Decimal(r.str())
		default:
			r.skip()
		}
	})
	return t
}

func (r *reader) purchase(p *Purchase) {
	r.object(func(k []byte) {
		switch string(k) {
		case "virtual_currency":
			p.VirtualCurrency = r.virtualCurrency()
		case "checkout":
			p.Checkout = r.amount()
		case "total":
			p.Total = r.amount()
		case "virtual_items":
			p.VirtualItems = r.virtualItems()
		case "subscription":
			p.Subscription = r.purchaseSubscription()
		case "promotions":
			r.array(func() {
				var pr Promotion
				r.object(func(k []byte) {
					switch string(k) {
					case "technical_name":
						pr.TechnicalName = r.str()
					case "id":
						pr.ID = ID(r.str())
					default:
						r.skip()
					}
				})
				p.Promotions = append(p.Promotions, pr)
			})
		case "coupon":
			if r.null() {
				return
			}
			c := &Coupon{}
			r.coupon(c)
			p.Coupon = c
		case "pin_codes":
			p.PinCodes = r.raw()
		case "gift":
			p.Gift = r.raw()
		default:
			r.skip()
		}
	})
}

func (r *reader) coupon(c *Coupon) {
	r.object(func(k []byte) {
		switch string(k) {
		case "coupon_code":
			c.CouponCode = r.str()
		case "campaign_code":
			c.CampaignCode = r.str()
		default:
			r.skip()
		}
	})
}

func (r *reader) transaction(t *Transaction) {
	r.object(func(k []byte) {
		switch string(k) {
		case "id":
			t.ID = ID(r.str())
		case "external_id":
			t.ExternalID = ID(r.str())
		case "payment_date":
			t.PaymentDate = r.str()
		case "payment_method":
			t.PaymentMethod = ID(r.str())
		case "payment_method_name":
			t.PaymentMethodName = r.str()
		case "payment_method_order_id":
			t.PaymentMethodOrderID = ID(r.str())
		case "dry_run":
			t.DryRun = flagOf(r.str())
		case "agreement":
			t.Agreement = ID(r.str())
		case "date":
			t.Date = r.str()
		case "date_create":
			t.DateCreate = r.str()
		case "total":
			t.Total = r.amount()
		case "country_code":
			t.CountryCode = r.str()
		default:
			r.skipUnknown(k, transactionKeys)
		}
	})
}

// flagOf reads 1/0, true/false and numeric strings: zero, false, null and
// "" are false, anything else is true.
func flagOf(s string) Flag {
	switch s {
	case "", "false", "null":
		return false
	}
	if strings.Trim(s, "-+.0eE") == "" && strings.Contains(s, "0") {
		return false // 0, 0.0, -0, 0e0 …
	}
	return true
}

func (r *reader) paymentDetails(d *PaymentDetails) {
	r.object(func(k []byte) {
		switch string(k) {
		case "payment":
			d.Payment = r.amount()
		case "payment_method_sum":
			d.PaymentMethodSum = r.amount()
		case "xsolla_balance_sum":
			d.XsollaBalanceSum = r.amount()
		case "payout":
			d.Payout = r.amount()
		case "xsolla_fee":
			d.XsollaFee = r.amount()
		case "payment_method_fee":
			d.PaymentMethodFee = r.amount()
		case "repatriation_commission":
			d.RepatriationCommission = r.amount()
		case "country_wht":
			d.CountryWHT = r.amount()
		case "user_acquisition_fee":
			d.UserAcquisitionFee = r.amount()
		case "vat":
			d.VAT = r.tax()
		case "sales_tax":
			d.SalesTax = r.tax()
		case "direct_wht":
			d.DirectWHT = r.tax()
		case "payout_currency_rate":
			d.PayoutCurrencyRate = Decimal(r.str())
		default:
			r.skip()
		}
	})
}

func (r *reader) subscription(s *Subscription) {
	r.object(func(k []byte) {
		switch string(k) {
		case "plan_id":
			s.PlanID = ID(r.str())
		case "subscription_id":
			s.SubscriptionID = ID(r.str())
		case "product_id":
			s.ProductID = ID(r.str())
		case "tags":
			r.array(func() { s.Tags = append(s.Tags, r.str()) })
		case "date_create":
			s.DateCreate = r.str()
		case "date_next_charge":
			s.DateNextCharge = r.str()
		case "date_end":
			s.DateEnd = r.str()
		case "trial":
			if r.null() {
				return
			}
			t := &Trial{}
			r.object(func(k []byte) {
				switch string(k) {
				case "value":
					t.Value = ID(r.str())
				case "type":
					t.Type = r.str()
				default:
					r.skip()
				}
			})
			s.Trial = t
		case "currency":
			s.Currency = r.str()
		case "amount":
			s.Amount = Decimal(r.str())
		default:
			r.skip()
		}
	})
}

func (r *reader) order(o *Order) {
	r.object(func(k []byte) {
		switch string(k) {
		case "id":
			o.ID = ID(r.str())
		case "mode":
			o.Mode = r.str()
		case "currency_type":
			o.CurrencyType = r.str()
		case "currency":
			o.Currency = r.str()
		case "amount":
			o.Amount = Decimal(r.str())
		case "status":
			o.Status = r.str()
		case "platform":
			o.Platform = r.str()
		case "comment":
			o.Comment = r.str()
		case "invoice_id":
			o.InvoiceID = ID(r.str())
		case "promotions":
			o.Promotions = r.raw()
		case "promocodes":
			o.Promocodes = r.raw()
		case "coupons":
			o.Coupons = r.raw()
		default:
			r.skip()
		}
	})
}

// decodeOrderItems decodes the items array of an order webhook.
func decodeOrderItems(raw []byte) ([]OrderItem, error) {
	r := newReader(raw)
	var items []OrderItem
	r.array(func() {
		var it OrderItem
		r.object(func(k []byte) {
			switch string(k) {
			case "sku":
				it.SKU = r.str()
			case "type":
				it.Type = r.str()
			case "is_pre_order":
				it.IsPreOrder = flagOf(r.str())
			case "quantity":
				it.Quantity = Decimal(r.str())
			case "amount":
				it.Amount = Decimal(r.str())
			case "promotions":
				it.Promotions = r.raw()
			case "custom_attributes":
				it.CustomAttributes = r.raw()
			default:
				r.skip()
			}
		})
		items = append(items, it)
	})
	r.end()
	return items, r.err
}

// envelopeOther decodes the envelope keys of the less frequent types.
func (r *reader) envelopeOther(k []byte, e *envelope) {
	switch string(k) {
	case "virtual_currency_balance":
		r.balance(&e.VirtualCurrencyBalance)
	case "operation_type":
		e.OperationType = r.str()
	case "id_operation":
		e.OperationID = ID(r.str())
	case "items_operation_type":
		e.ItemsOperationType = r.str()
	case "payment_account":
		r.paymentAccount(&e.PaymentAccount)
	case "pin_code":
		r.pinCode(&e.PinCode)
	case "key":
		e.Key = r.str()
	case "sku":
		e.SKU = r.str()
	case "user_id":
		e.UserID = ID(r.str())
	case "activation_date":
		e.ActivationDate = r.str()
	case "user_country":
		e.UserCountry = r.str()
	case "restriction":
		e.Restriction = r.raw()
	case "action":
		e.Action = r.str()
	case "dispute":
		r.dispute(&e.Dispute)
	default:
		r.skipUnknown(k, envelopeKeys)
	}
}

func (r *reader) settings(s *Settings) {
	r.object(func(k []byte) {
		switch string(k) {
		case "project_id":
			s.ProjectID = ID(r.str())
		case "merchant_id":
			s.MerchantID = ID(r.str())
		default:
			r.skipUnknown(k, settingsKeys)
		}
	})
}

func (r *reader) refundDetails(d *RefundDetails) {
	r.object(func(k []byte) {
		switch string(k) {
		case "code":
			d.Code = ID(r.str())
		case "reason":
			d.Reason = r.str()
		case "author":
			d.Author = r.str()
		default:
			r.skip()
		}
	})
}

func (r *reader) paymentAccount(v *PaymentAccount) {
	r.object(func(k []byte) {
		switch string(k) {
		case "id":
			v.ID = ID(r.str())
		case "name":
			v.Name = r.str()
		case "type":
			v.Type = r.str()
		case "card_expiry_date":
			v.CardExpiryDate = r.raw()
		default:
			r.skip()
		}
	})
}

func (r *reader) pinCode(v *PinCodeRequest) {
	r.object(func(k []byte) {
		switch string(k) {
		case "digital_content":
			v.DigitalContent = r.str()
		case "DRM", "drm":
			v.DRM = r.str()
		default:
			r.skip()
		}
	})
}

func (r *reader) balance(v *VirtualCurrencyBalance) {
	r.object(func(k []byte) {
		switch string(k) {
		case "old_value":
			v.OldValue = Decimal(r.str())
		case "new_value":
			v.NewValue = Decimal(r.str())
		case "diff":
			v.Diff = Decimal(r.str())
		default:
			r.skip()
		}
	})
}

// virtualCurrency decodes purchase.virtual_currency; null gives nil.
func (r *reader) virtualCurrency() *VirtualCurrency {
	if r.null() {
		return nil
	}
	vc := &VirtualCurrency{}
	r.object(func(k []byte) {
		switch string(k) {
		case "name":
			vc.Name = r.str()
		case "sku":
			vc.SKU = r.str()
		case "quantity":
			vc.Quantity = Decimal(r.str())
		case "currency":
			vc.Currency = r.str()
		case "amount":
			vc.Amount = Decimal(r.str())
		default:
			r.skip()
		}
	})
	return vc
}

// virtualItems decodes purchase.virtual_items; null gives nil.
func (r *reader) virtualItems() *VirtualItems {
	if r.null() {
		return nil
	}
	vi := &VirtualItems{}
	r.object(func(k []byte) {
		switch string(k) {
		case "items":
			r.array(func() {
				var it VirtualItem
				r.object(func(k []byte) {
					switch string(k) {
					case "sku":
						it.SKU = r.str()
					case "amount":
						it.Amount = Decimal(r.str())
					default:
						r.skip()
					}
				})
				vi.Items = append(vi.Items, it)
			})
		case "currency":
			vi.Currency = r.str()
		case "amount":
			vi.Amount = Decimal(r.str())
		default:
			r.skip()
		}
	})
	return vi
}

// purchaseSubscription decodes purchase.subscription; null gives nil.
func (r *reader) purchaseSubscription() *PurchaseSubscription {
	if r.null() {
		return nil
	}
	s := &PurchaseSubscription{}
	r.object(func(k []byte) {
		switch string(k) {
		case "plan_id":
			s.PlanID = ID(r.str())
		case "subscription_id":
			s.SubscriptionID = ID(r.str())
		case "product_id":
			s.ProductID = ID(r.str())
		case "date_create":
			s.DateCreate = r.str()
		case "currency":
			s.Currency = r.str()
		case "amount":
			s.Amount = Decimal(r.str())
		default:
			r.skip()
		}
	})
	return s
}

func (r *reader) dispute(d *DisputeDetails) {
	r.object(func(k []byte) {
		switch string(k) {
		case "incoming_date":
			d.IncomingDate = r.str()
		case "reason":
			d.Reason = r.str()
		case "type":
			d.Type = r.str()
		case "status":
			d.Status = r.str()
		default:
			r.skip()
		}
	})
}
