/// The promotion and loyalty rules shipped in `Contracts/`, byte for byte (a test compares
/// them with the files), so the demo network deploys them without reading the source tree:
/// the loyalty programme's tiers, a multibuy, two basket discounts, a points bonus, a
/// member-limited offer and a reward. In deployment order (admin `deploy-rule`, docs/CONTRACTS.md §9).
public enum ShippedRules {
    /// (file name in `Contracts/`, source).
    public static let all: [(file: String, source: String)] = [
        ("basket-fixed-off.rules", #"""
        // S$5.00 off at S$50.00 or more, measured after earlier discounts (it runs after them).
        rule "promo.spend50-save5" version 1 {
          lang 1
          priority 400
          require basket.subtotal >= S$50.00 else skip
          emit basket_discount(S$5.00, "SAVE5")
        }

        """#),
        ("basket-percent-off.rules", #"""
        // 10% off a basket of S$100.00 or more (measured on what is left after earlier rules),
        // capped at S$30.00, as one basket discount.
        rule "promo.basket-10pct" version 1 {
          lang 1
          priority 300
          require basket.subtotal >= S$100.00 else skip
          emit basket_discount(min(scale(basket.subtotal, 10%, .floor), S$30.00), "BASKET10")
        }

        """#),
        ("coupon-next3-issue.rules", #"""
        // Next-order coupon: a basket of S$30.00 or more earns a S$3.00 coupon for the next
        // visit, valid 30 days at the same outlet (the receipt prints its code; it is for the
        // sale's member, or for anyone after a guest's sale).
        rule "promo.next3-issue" version 1 {
          lang 1
          priority 370
          issues "NEXT3" days 30
          require basket.subtotal >= S$30.00 else skip
        }

        """#),
        ("coupon-next3-redeem.rules", #"""
        // The NEXT3 coupon (issued after a sale of S$30.00 or more, or in a batch by
        // `sgpos till coupons --campaign NEXT3`): S$3.00 off the basket, once per coupon.
        rule "promo.next3-redeem" version 1 {
          lang 1
          priority 360
          coupon "NEXT3"
          emit basket_discount(min(S$3.00, basket.subtotal), "NEXT3")
        }

        """#),
        ("loyalty-tiers.rules", #"""
        // The seed's loyalty programme.
        //   Base points: each line's net (after earlier discounts) at its category's points rate,
        //   which an outlet operator sets on chain (set-point-rates, the "oracle" table; 100% =
        //   1 point per dollar, the default), reduced in proportion to basket discounts, in
        //   whole dollars (rounded down).
        //   Tier multiplier: Bronze 1.0x, Silver 1.2x, Gold 1.5x, Platinum 2.0x, Diamond 2.5x.
        //   Personal multiplier: the member's own (set-member-multiplier), default 1.0x.
        //   Automatic upgrade when lifetime spend reaches S$1,000 / 5,000 / 20,000 / 50,000.
        // Each step rounds down, in this order: rate per line, basket share (rated × subtotal /
        // lines total), whole dollars, tier, personal. A basket whose rated cents × subtotal cents
        // pass 2^63 (about S$30 million each) overflows: the rule fails and awards nothing.
        rule "loyalty.tiers" version 2 {
          lang 1
          priority 900
          require customer.is_member else skip
          let lines_total = basket.lines.sum(l => l.net)
          require lines_total > S$0.00 else skip
          let rated = basket.lines.sum(l => scale(l.net, point_rate(l.category), .floor))
          let dollars = div(div(cents(rated) * cents(basket.subtotal), cents(lines_total), .floor), 100, .floor)
          let personal = customer.multiplier
          when customer.tier == .silver { emit award_points(scale(scale(dollars, 120%, .floor), personal, .floor), "tier-silver") }
          else {
            when customer.tier == .gold { emit award_points(scale(scale(dollars, 150%, .floor), personal, .floor), "tier-gold") }
            else {
              when customer.tier == .platinum { emit award_points(scale(scale(dollars, 200%, .floor), personal, .floor), "tier-platinum") }
              else {
                when customer.tier == .diamond { emit award_points(scale(scale(dollars, 250%, .floor), personal, .floor), "tier-diamond") }
                else { emit award_points(scale(dollars, personal, .floor), "tier-bronze") }
              }
            }
          }
          let earned = tier_for(customer.lifetime_spend + basket.subtotal)
          when earned > customer.tier { emit set_tier(earned) }
        }

        """#),
        ("member-limited.rules", #"""
        // S$3.00 off dairy, at most twice per member and 1,000 times in all (a budget).
        // A basket with dairy that does not get it says why (the till shows the reason).
        rule "promo.dairy-3off" version 1 {
          lang 1
          priority 250
          state uses: counter max 2
          budget total: counter max 1000
          let dairy = basket.lines.filter(l => l.category == "dairy" and l.net >= S$3.00)
          require dairy.count() > 0 else skip
          require customer.is_member else skip("S$3 off dairy for members")
          require uses.left > 0 else skip("limit reached: twice per member")
          require total.left > 0 else skip("all 1,000 given")
          for l in dairy.take(1) { emit line_discount(l.index, S$3.00, "DAIRY3") }
          emit increment(uses, 1)
          emit increment(total, 1)
        }

        """#),
        ("points-per-dollar.rules", #"""
        // 2 bonus points per whole dollar paid for members (the ledger credits points to a lot
        // expiring at the end of the month 12 months on: FORMAT.md §13.3).
        rule "loyalty.bonus-2x" version 1 {
          lang 1
          priority 950
          window "2026-01-01T00:00:00+08:00" ..< "2027-01-01T00:00:00+08:00"
          require customer.is_member else skip
          let dollars = div(cents(basket.subtotal), 100, .floor)
          require dollars > 0 else skip
          emit award_points(dollars * 2, "bonus-2x")
        }

        """#),
        ("promo-code.rules", #"""
        // A promotion code keyed in at the till: S$2.00 off a basket of S$20.00 or more with the
        // code WELCOME2 (printed on flyers; anyone may use it). Below S$20.00 the till says why.
        rule "promo.code-welcome2" version 1 {
          lang 1
          priority 350
          require has_code("WELCOME2") else skip
          require basket.subtotal >= S$20.00 else skip("WELCOME2 needs S$20.00 or more")
          emit basket_discount(S$2.00, "WELCOME2")
        }

        """#),
        ("reward-tote-bag.rules", #"""
        // Rewards catalogue entry: the SG-POS tote bag for 800 points.
        //   How a member takes it: the cashier adds SKU RW-TOTE (on the price list at its retail
        //   value, category "rewards") to the basket; this rule makes that line free and takes
        //   the points from the member's balance.
        //   Quantity: 500 in all (the budget; `stock.left` is what remains).
        //   Once per member (the per-member counter).
        //   Expiry: offered until 2026-12-31 23:59:59 SGT; after that it is refused (2006), not
        //   sold at full price by surprise.
        //   Refusals (the sale is refused with the rule id and code, nothing changes):
        //   2001 not a member, 2002 more than one, 2003 already taken, 2004 none left,
        //   2005 not enough points, 2006 expired.
        rule "reward.tote-bag" version 1 {
          lang 1
          priority 10
          state taken: counter max 1
          budget stock: counter max 500
          let asked = basket.lines.filter(l => l.sku == "RW-TOTE")
          require asked.count() > 0 else skip
          require customer.is_member else fail(2001)
          require asked.sum(l => l.qty) == 1 else fail(2002)
          require taken.left > 0 else fail(2003)
          require stock.left > 0 else fail(2004)
          require customer.points >= 800 else fail(2005)
          require ctx.time < 1_798_732_800_000 else fail(2006)   // 2027-01-01T00:00:00+08:00
          for l in asked { emit line_discount(l.index, l.net, "REWARD-TOTE") }
          emit redeem_points(800, "reward.tote-bag")
          emit increment(taken, 1)
          emit increment(stock, 1)
        }

        """#),
        ("snacks-b2g1.rules", #"""
        // Buy 2 get 1 free on snacks: every third unit free, the cheapest units first, across
        // the whole category (not per group of three as rung up): with 5 snacks, 1 is free;
        // with 6, the 2 cheapest. Ties between equal prices go to the earlier line.
        rule "promo.snacks-b2g1" version 1 {
          lang 1
          priority 200
          group "multibuy"
          let units = basket.lines.filter(l => l.category == "snacks").expand(l => l.qty).sort_by(u => u.price)
          let free = div(units.count(), 3, .floor)
          require free > 0 else skip
          for u in units.take(free) { emit line_discount(u.line, u.price, "B2G1") }
        }

        """#),
    ]
}
