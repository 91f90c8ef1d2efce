"""Customer comments for the demo and the themes benchmark, put together from fragments.

The brand is Chaiwala Cloud, a point-of-sale and ordering service for cafés and tea shops. Each comment is
about one of ten themes (THEMES), in the tone of its score group: detractors complain, promoters praise,
passives are mixed. A comment is an optional opener, the theme's complaint or praise (a few phrasings, with
a time, a count or a number of days filled in), an optional detail and an optional closer; Latin-script
comments sometimes come informal (lower case, shorthand, a slipped letter). So every language gives many
thousands of distinct comments that still share each theme's words, which is what theme discovery needs.

Languages: en, hi (Devanagari), hi-Latn (Hinglish: Hindi in Latin letters, mixed with English), ta, bn, es,
ar. `comment()` writes one for an invitation's language (a Hindi speaker writes Hinglish about a third of the
time; a language without fragments falls back to English); `corpus()` yields a large mixed-language corpus.
"""

import random
import re
from bisect import bisect
from collections.abc import Iterator
from itertools import accumulate

THEMES = {
    "printer": "Printer and hardware",
    "billing": "GST invoices and billing",
    "support": "Support",
    "speed": "App speed and crashes",
    "pricing": "Price and plans",
    "offline": "Offline mode and internet",
    "reports": "Sales reports",
    "payments": "UPI and card payments",
    "qr_ordering": "QR menu and table ordering",
    "onboarding": "Setup and staff training",
}
GROUPS = ("detractor", "passive", "promoter")
# What each group talks about most (relative weights, in THEMES order): detractors about what breaks during
# service, promoters about what saves them time.
THEME_WEIGHTS = {
    "detractor": (14, 10, 13, 14, 12, 8, 6, 13, 5, 5),
    "passive": (8, 8, 10, 12, 14, 8, 12, 9, 9, 10),
    "promoter": (6, 9, 14, 9, 7, 8, 13, 12, 12, 10),
}
# The corpus's mix of language groups and score groups.
CORPUS_LANGUAGES = {"en": 40, "hi": 15, "hi-Latn": 15, "ta": 8, "bn": 8, "es": 7, "ar": 7}
CORPUS_GROUPS = {"detractor": 30, "passive": 25, "promoter": 45}
DETRACTOR_SCORES = (0, 1, 2, 3, 4, 5, 6)
DETRACTOR_WEIGHTS = (4, 2, 3, 5, 7, 12, 14)
HINGLISH_SHARE = 1 / 3  # of the comments of invitations in Hindi


def lines(block: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in block.strip().splitlines() if line.strip())


# Per language: sentence end, "but", the fillers ({when}, {n}, {days}; {mins}, {items}, {amount} and {small}
# are numbers), openers and closers per group, passives' lukewarm starts ("ok") and mild ends ("meh"), and
# per theme: complaints ("neg"), praise ("pos"), and details after each ("neg+", "pos+").
LANGUAGES = {
    "en": {
        "stop": ". ",
        "but": (", but ", " but ", ". Only thing: ", ", though ", ". But "),
        "when": lines("""
            during the lunch rush
            on a busy Saturday
            this morning
            yesterday evening
            in the middle of service
            on Diwali weekend
            twice this week
            right at opening time
            during the evening rush
            last Sunday
            on our busiest day
        """),
        "n": ("two", "three", "four", "2", "3", "5"),
        "days": ("two days", "a week", "10 days", "three weeks", "a month", "5 days"),
        "open": {
            "detractor": lines("""
                Very disappointed.
                Not happy at all.
                Really frustrating month.
                Fed up.
                Sorry but this is bad.
                Worst experience so far.
                Honestly, not good.
                Third complaint this month.
                Very bad experience this time.
                Not what we paid for.
                Disappointed again.
            """),
            "passive": lines("""
                It's okay.
                Decent product.
                Mostly fine.
                Not bad.
                Works for us.
                Average experience.
                Good enough.
                Mixed feelings.
                Could be worse.
            """),
            "promoter": lines("""
                Love it!
                Great product.
                Very happy.
                Brilliant app.
                10/10.
                Best POS we have used.
                Super happy with Chaiwala.
                Amazing service.
                Excellent.
                So good!
            """),
        },
        "close": {
            "detractor": lines("""
                Please fix this asap.
                Thinking of switching.
                Fix it or we leave.
                Would not recommend.
                Very poor.
                Please call me back.
                Not acceptable for a paid product.
                Losing patience.
                Really expected better.
                Fix it please.
            """),
            "passive": lines("""
                Fix this and it's a 10.
                Otherwise fine.
                Hope it improves.
                Will see how it goes.
                Still okay overall.
                Would give 10 otherwise.
                Decent for the price.
            """),
            "promoter": lines("""
                Keep it up!
                Recommended it to two friends.
                Thank you team!
                Highly recommend.
                Thanks Chaiwala!
                Worth it.
                Best decision for our café.
                Cheers!
                Love you guys.
            """),
        },
        "ok": lines("""
            overall good
            the app is nice
            it works fine mostly
            good product
            happy with most things
            no big complaints
            does what we need
            staff like it
        """),
        "meh": lines("""
            small issues now and then
            it could be better
            a few bugs here and there
            nothing special otherwise
            some rough edges
            a couple of things annoy us
        """),
        "themes": {
            "printer": {
                "neg": lines("""
                    the receipt printer kept disconnecting {when}
                    the printer stopped printing KOTs {when}
                    bills print half blank and the printer jams
                    after the last update the printer driver is broken
                    the kitchen printer prints every order {n} times
                    bluetooth printer pairing fails every single morning
                    our Epson printer is not detected after every app update
                    the KOT printer skips orders {when}
                """),
                "pos": lines("""
                    the thermal printer works perfectly with the app
                    receipts print instantly, even {when}
                    kitchen order tickets come out on the right printer every time
                    printer setup was plug and play
                    the bluetooth printer has not dropped once
                    even the cheap bluetooth printer works flawlessly
                    KOTs print in the kitchen the second we punch the order
                """),
                "neg+": lines("""
                    We had to write bills by hand.
                    Customers waited while we restarted the printer {n} times.
                    Support says it's the printer, the printer company says it's your app.
                    We already bought the printer you recommended.
                    The printer is new, so it's not the hardware.
                    Kitchen staff shouted at the counter {n} times because nothing printed.
                """),
                "pos+": lines("""
                    Even the kitchen printer in the back just works.
                    Our old POS could never do that.
                    Changing the paper roll is the only thing we think about.
                """),
            },
            "billing": {
                "neg": lines("""
                    GST on the invoice is calculated wrong
                    the tax invoice is missing our GSTIN
                    you charged me twice this month and the refund still hasn't come
                    invoices show the wrong HSN code for tea
                    I was billed for an outlet I closed {days} ago
                    the CGST and SGST split is wrong on every bill
                    GST invoices can't be edited once printed
                    my subscription invoice came without GST so I can't claim input credit
                """),
                "pos": lines("""
                    GST invoices come out correct every time
                    my accountant loves the GST reports
                    e-invoicing was set up without any help
                    tax invoices with our GSTIN and logo look very professional
                    billing is clear and I was never charged extra
                    GST on every bill is exactly right, even with mixed tax rates
                """),
                "neg+": lines("""
                    My CA had to fix {n} months of returns.
                    Still waiting for my refund after {days}.
                    I have raised it {n} times already.
                """),
                "pos+": lines("""
                    Filing returns takes me an hour now.
                    The invoice numbering never skips.
                    Got a refund for a double charge within a day, no questions asked.
                """),
            },
            "support": {
                "neg": lines("""
                    support never calls back
                    your support team closed my ticket without fixing anything
                    waited {days} for a reply from support
                    the chat bot keeps sending help articles instead of a person
                    support promised a callback {when} and never called
                    every support agent gives a different answer
                    nobody answered the support number {when}
                """),
                "pos": lines("""
                    support picked up {when} and fixed it in minutes
                    the support team is friendly and actually knows the product
                    got a call back from support within {mins} minutes
                    our account manager is super helpful
                    support replied on WhatsApp even on a Sunday
                    support explained everything patiently to our staff
                    the support guy stayed on the call till it worked
                """),
                "neg+": lines("""
                    I have raised {n} tickets for the same issue.
                    Replies come late and nobody reads the earlier messages.
                    Every time I have to explain everything again.
                """),
                "pos+": lines("""
                    They even stayed on the call until the first bill printed.
                    Rare to see this level of service.
                    Issue solved on the first call.
                """),
            },
            "speed": {
                "neg": lines("""
                    the app was painfully slow {when}
                    the POS app crashes {n} times a day
                    the billing screen freezes when we add items fast
                    the app hangs on our android tablet and we have to restart it
                    every update makes the app slower
                    the app takes a minute to open every morning
                    the screen goes white and the app closes {when}
                    it logged us out for no reason {when}
                """),
                "pos": lines("""
                    the app is fast even on our old tablet
                    billing is quick with no lag at all
                    the app has never crashed on us
                    the new version loads in a second
                    smooth and quick even with {items} items on the menu
                    the app opens instantly and never hangs
                """),
                "neg+": lines("""
                    Customers stand in the queue for {mins} minutes while it loads.
                    Restarting the tablet is now part of our routine.
                    We lost orders {when} because of it.
                """),
                "pos+": lines("""
                    The queue moves much faster now.
                    Staff can bill a full table in seconds.
                """),
            },
            "pricing": {
                "neg": lines("""
                    too expensive for a small tea shop
                    the price went up again without notice
                    we pay for the pro plan but half the features are paid add-ons
                    the new pricing is not worth it for a single outlet
                    SMS charges on top of the subscription are a rip off
                    we were charged for the whole year even after we cancelled
                    the price doubled after the free trial
                """),
                "pos": lines("""
                    great value for money
                    the starter plan has everything a small café needs
                    cheaper than our old POS and does more
                    the annual plan is very reasonably priced
                    worth every rupee we pay
                    pricing is simple and fair for a small shop
                """),
                "neg+": lines("""
                    Competitors give the same for half the price.
                    We are thinking of switching when the plan renews.
                    A discount for small shops would help.
                """),
                "pos+": lines("""
                    No hidden charges so far.
                    It paid for itself in the first month.
                """),
            },
            "offline": {
                "neg": lines("""
                    offline mode loses orders when the internet comes back
                    the app stops billing as soon as the wifi drops
                    bills made offline don't sync for hours
                    the internet went down {when} and billing just stopped
                    stock counts are wrong after every offline period
                    offline bills vanished when the network came back {when}
                """),
                "pos": lines("""
                    offline mode kept us billing through a 2 hour internet outage
                    it works even when the wifi is down
                    everything synced perfectly once the internet came back
                    we never worry about network problems anymore
                    offline billing is seamless, staff don't even notice the internet is gone
                """),
                "neg+": lines("""
                    Our area has power cuts and bad network, so this matters.
                    We had to take cash only {when}.
                    Some bills were duplicated after the sync.
                """),
                "pos+": lines("""
                    Our internet is bad, so this is a lifesaver.
                    Nothing was lost after the sync.
                """),
            },
            "reports": {
                "neg": lines("""
                    sales reports don't match the bank settlement
                    the daily report shows wrong totals
                    exporting reports to excel is painful
                    there is no item wise sales report per outlet
                    the end of day report takes forever to load
                    the sales report counts cancelled orders as sales
                    the GST sales report never matches my CA's numbers
                """),
                "pos": lines("""
                    the daily sales report is the first thing I check every morning
                    love the item wise sales reports
                    I see reports for all outlets in one dashboard
                    the end of day summary on WhatsApp is so useful
                    export to excel works great for my accountant
                    the weekly sales report shows exactly which items sell
                """),
                "neg+": lines("""
                    I still keep a separate register to cross check.
                    The numbers are off by ₹{amount} every day.
                """),
                "pos+": lines("""
                    Now I know exactly which items sell best.
                    It saves me an hour of counting every night.
                """),
            },
            "payments": {
                "neg": lines("""
                    UPI payments failed {when}
                    card payments get declined and the money is deducted anyway
                    card settlement is delayed by {days}
                    the UPI QR on the bill doesn't update with the amount
                    the customer paid by UPI but it shows pending
                    card payments get stuck on processing {when}
                    money from UPI payments reaches the bank {days} late
                """),
                "pos": lines("""
                    UPI and card payments just work
                    the dynamic UPI QR on the bill is brilliant
                    settlements come on time every day
                    payment confirmation shows instantly on the screen
                    the card machine integration works perfectly
                    UPI payments are confirmed in a second
                """),
                "neg+": lines("""
                    Customers were charged, and {days} later they are still waiting for the refund.
                    We lost customers {when}.
                    We had to ask people to pay cash.
                """),
                "pos+": lines("""
                    No more checking the phone for payment messages.
                    Reconciliation is automatic now.
                """),
            },
            "qr_ordering": {
                "neg": lines("""
                    the QR menu doesn't load on some phones
                    table orders from the QR code never reach the kitchen
                    QR ordering shows items that are out of stock
                    customers scan the table QR and get an error
                    menu changes take ages to show on the QR menu
                    QR orders come in twice and the kitchen makes both
                """),
                "pos": lines("""
                    customers love ordering from the table with the QR menu
                    QR ordering cut our waiting time in half
                    table orders go straight to the kitchen
                    the QR menu with photos looks great
                    customers order and pay from the table without waiting
                    table ordering by QR code works smoothly even when we are full
                """),
                "neg+": lines("""
                    Waiters end up taking orders by hand anyway.
                    Customers got annoyed and left {when}.
                """),
                "pos+": lines("""
                    We need one waiter less on weekends.
                    The average bill went up since customers see the photos.
                """),
            },
            "onboarding": {
                "neg": lines("""
                    setup took {days} and nobody helped
                    the onboarding call was rescheduled {n} times
                    staff training is confusing with too many screens
                    adding our menu took forever, the import kept failing
                    new staff can't learn the billing screen easily
                    nobody showed our staff how to close the day
                    the setup wizard got stuck on the tax settings
                """),
                "pos": lines("""
                    setup took {mins} minutes and we were billing the same day
                    the onboarding team helped us import the whole menu
                    new staff learn it in one shift
                    the training videos in Hindi helped our staff a lot
                    setting up a second outlet was really easy
                    our staff were trained in one afternoon
                """),
                "neg+": lines("""
                    We have high staff turnover so this matters.
                    The training videos are only in English.
                """),
                "pos+": lines("""
                    Even our part timers picked it up quickly.
                    The step by step setup guide was very clear.
                """),
            },
        },
    },
}

LANGUAGES["hi"] = {
    "stop": "। ",
    "but": (", लेकिन ", " पर ", "। बस एक बात, ", ", मगर "),
    "when": lines("""
        दोपहर की भीड़ में
        शनिवार शाम को
        आज सुबह
        कल रात
        त्योहार वाले दिन
        सबसे बिज़ी टाइम पर
        इस हफ्ते दो बार
        दुकान खुलते ही
        शाम की भीड़ में
        पिछले रविवार
    """),
    "n": ("दो", "तीन", "चार", "पाँच", "2", "3"),
    "days": ("दो दिन", "दस दिन", "तीन हफ्ते", "पंद्रह दिन", "कई दिन", "दो हफ्ते"),
    "open": {
        "detractor": lines("""
            बहुत निराश हूँ।
            बिल्कुल खुश नहीं हैं।
            बहुत परेशानी हो रही है।
            तंग आ गए हैं।
            माफ़ कीजिए, पर यह ठीक नहीं है।
            इस महीने तीसरी शिकायत है।
        """),
        "passive": lines("""
            ठीक-ठाक है।
            चलता है।
            ज़्यादातर सही है।
            बुरा नहीं है।
            हमारे काम का है।
        """),
        "promoter": lines("""
            बहुत बढ़िया!
            शानदार ऐप है।
            हम बहुत खुश हैं।
            एकदम मस्त।
            अब तक का सबसे अच्छा POS।
            चायवाला क्लाउड ज़िंदाबाद!
        """),
    },
    "close": {
        "detractor": lines("""
            कृपया जल्दी ठीक करें।
            दूसरा सिस्टम लेने की सोच रहे हैं।
            ठीक नहीं हुआ तो छोड़ देंगे।
            किसी को सलाह नहीं देंगे।
            कृपया मुझे कॉल करें।
            पैसे देकर यह हाल है।
        """),
        "passive": lines("""
            यह ठीक हो जाए तो 10 देंगे।
            बाकी सब ठीक है।
            उम्मीद है सुधरेगा।
            देखते हैं आगे।
        """),
        "promoter": lines("""
            ऐसे ही अच्छा काम करते रहिए!
            दो दोस्तों को भी बताया है।
            पूरी टीम को धन्यवाद!
            ज़रूर इस्तेमाल करें।
            पैसा वसूल।
        """),
    },
    "ok": lines("""
        कुल मिलाकर अच्छा है
        ऐप अच्छा है
        ज़्यादातर ठीक चलता है
        प्रोडक्ट अच्छा है
        कोई बड़ी शिकायत नहीं
        हमारा काम चल जाता है
        स्टाफ को पसंद है
    """),
    "meh": lines("""
        कभी-कभी छोटी दिक्कतें आती हैं
        और बेहतर हो सकता है
        थोड़े बहुत बग हैं
        बाकी कुछ खास नहीं
        कुछ चीज़ें अभी कच्ची हैं
        एक-दो बातें खटकती हैं
    """),
    "themes": {
        "printer": {
            "neg": lines("""
                {when} प्रिंटर बार-बार डिसकनेक्ट हो जाता है
                प्रिंटर से KOT प्रिंट नहीं हो रहे
                बिल आधा खाली प्रिंट होता है और प्रिंटर अटक जाता है
                अपडेट के बाद प्रिंटर चलना बंद हो गया
                किचन प्रिंटर हर ऑर्डर {n} बार प्रिंट करता है
                ब्लूटूथ प्रिंटर रोज़ सुबह कनेक्ट नहीं होता
            """),
            "pos": lines("""
                प्रिंटर ऐप के साथ बढ़िया चलता है
                {when} भी रसीद तुरंत प्रिंट हो जाती है
                किचन का KOT सही प्रिंटर पर ही निकलता है
                प्रिंटर लगाना बहुत आसान था
                ब्लूटूथ प्रिंटर एक बार भी डिसकनेक्ट नहीं हुआ
            """),
            "neg+": lines("""
                हाथ से बिल लिखने पड़े।
                ग्राहक खड़े रहे और हम प्रिंटर {n} बार रीस्टार्ट करते रहे।
                सपोर्ट कहता है प्रिंटर की गलती है।
                आपका बताया हुआ प्रिंटर ही खरीदा था।
            """),
            "pos+": lines("""
                पुराने सिस्टम में ऐसा कभी नहीं हुआ।
                पेपर रोल बदलने के अलावा कोई झंझट नहीं।
            """),
        },
        "billing": {
            "neg": lines("""
                बिल पर GST गलत लग रहा है
                टैक्स इनवॉइस पर हमारा GSTIN नहीं आता
                इस महीने दो बार पैसे कटे और रिफंड अभी तक नहीं आया
                इनवॉइस पर चाय का HSN कोड गलत है
                {days} पहले बंद की दुकान का भी बिल आ रहा है
                हर बिल में CGST और SGST का हिसाब गलत है
            """),
            "pos": lines("""
                GST इनवॉइस हर बार सही बनता है
                हमारे CA को GST रिपोर्ट बहुत पसंद है
                ई-इनवॉइस बिना किसी मदद के चालू हो गया
                GSTIN और लोगो वाला इनवॉइस बहुत प्रोफेशनल लगता है
                बिलिंग साफ़ है, कभी ज़्यादा पैसे नहीं कटे
            """),
            "neg+": lines("""
                CA को {n} महीने की रिटर्न ठीक करनी पड़ी।
                {days} हो गए, रिफंड का इंतज़ार है।
                {n} बार शिकायत कर चुका हूँ।
            """),
            "pos+": lines("""
                अब रिटर्न भरने में एक घंटा लगता है।
                दो बार पैसे कटे तो एक दिन में पैसे वापस आ गए।
            """),
        },
        "support": {
            "neg": lines("""
                सपोर्ट वाले कभी कॉल बैक नहीं करते
                सपोर्ट टीम ने बिना ठीक किए टिकट बंद कर दिया
                सपोर्ट के जवाब के लिए {days} इंतज़ार किया
                चैट बॉट बस लेख भेजता है, कोई इंसान बात नहीं करता
                {when} सपोर्ट का नंबर कोई नहीं उठाता
            """),
            "pos": lines("""
                {when} सपोर्ट ने फ़ोन उठाया और मिनटों में ठीक कर दिया
                सपोर्ट टीम बहुत अच्छी है और सब जानती है
                {mins} मिनट में सपोर्ट से कॉल बैक आ गया
                हमारे अकाउंट मैनेजर बहुत मदद करते हैं
                रविवार को भी सपोर्ट ने व्हाट्सऐप पर जवाब दिया
            """),
            "neg+": lines("""
                एक ही दिक्कत के लिए {n} टिकट डाल चुका हूँ।
                जवाब देर से आता है और पुरानी बात कोई नहीं पढ़ता।
                हर बार सब कुछ फिर से समझाना पड़ता है।
            """),
            "pos+": lines("""
                पहला बिल प्रिंट होने तक फ़ोन पर रहे।
                ऐसी सर्विस कम देखने को मिलती है।
            """),
        },
        "speed": {
            "neg": lines("""
                {when} ऐप बहुत धीमा चलता है
                POS ऐप दिन में {n} बार क्रैश होता है
                जल्दी-जल्दी आइटम डालो तो बिलिंग स्क्रीन अटक जाती है
                टैबलेट पर ऐप हैंग हो जाता है, रीस्टार्ट करना पड़ता है
                हर अपडेट के बाद ऐप और धीमा हो जाता है
                {when} अपने आप लॉग आउट हो जाता है
            """),
            "pos": lines("""
                पुराने टैबलेट पर भी ऐप तेज़ चलता है
                बिलिंग फटाफट होती है, कोई अटकना नहीं
                ऐप आज तक एक बार भी क्रैश नहीं हुआ
                नया वर्ज़न एक सेकंड में खुल जाता है
                मेन्यू में {items} आइटम होने पर भी ऐप तेज़ है
            """),
            "neg+": lines("""
                ग्राहक लाइन में खड़े रहते हैं।
                टैबलेट रीस्टार्ट करना अब रोज़ का काम है।
                {when} इसकी वजह से ऑर्डर छूट गए।
            """),
            "pos+": lines("""
                लाइन अब बहुत जल्दी निकलती है।
                स्टाफ सेकंडों में पूरी टेबल का बिल बना देता है।
            """),
        },
        "pricing": {
            "neg": lines("""
                छोटी चाय की दुकान के लिए बहुत महँगा है
                बिना बताए फिर से दाम बढ़ा दिए
                प्रो प्लान के पैसे देते हैं फिर भी आधे फीचर अलग से खरीदने पड़ते हैं
                एक दुकान के लिए नया प्लान पैसे के लायक नहीं है
                सब्सक्रिप्शन के ऊपर SMS का अलग चार्ज लूट है
            """),
            "pos": lines("""
                पैसे के हिसाब से बहुत बढ़िया है
                छोटे कैफ़े के लिए स्टार्टर प्लान में सब कुछ है
                पुराने POS से सस्ता है और काम ज़्यादा करता है
                सालाना प्लान की कीमत बहुत सही है
                एक-एक रुपया वसूल है
            """),
            "neg+": lines("""
                दूसरे लोग आधी कीमत में यही देते हैं।
                प्लान खत्म होते ही बदलने की सोच रहे हैं।
                छोटी दुकानों को कुछ छूट मिलनी चाहिए।
            """),
            "pos+": lines("""
                अब तक कोई छुपा चार्ज नहीं।
                पहले महीने में ही पैसे वसूल हो गए।
            """),
        },
        "offline": {
            "neg": lines("""
                इंटरनेट वापस आने पर ऑफ़लाइन वाले ऑर्डर गायब हो जाते हैं
                वाईफ़ाई जाते ही बिलिंग बंद हो जाती है
                ऑफ़लाइन बने बिल घंटों तक सिंक नहीं होते
                {when} इंटरनेट गया और सब रुक गया
                हर बार ऑफ़लाइन के बाद स्टॉक गलत हो जाता है
            """),
            "pos": lines("""
                दो घंटे इंटरनेट नहीं था फिर भी ऑफ़लाइन मोड में बिलिंग चलती रही
                वाईफ़ाई बंद हो तब भी काम करता है
                इंटरनेट आते ही सब कुछ सही से सिंक हो गया
                अब नेटवर्क की कोई चिंता नहीं
            """),
            "neg+": lines("""
                हमारे इलाके में बिजली और नेटवर्क दोनों जाते हैं।
                {when} सिर्फ़ कैश लेना पड़ा।
                सिंक के बाद कुछ बिल दो बार आ गए।
            """),
            "pos+": lines("""
                हमारा इंटरनेट खराब है, इसलिए यह बहुत काम का है।
                सिंक के बाद कुछ भी गायब नहीं हुआ।
            """),
        },
        "reports": {
            "neg": lines("""
                सेल्स रिपोर्ट बैंक सेटलमेंट से मेल नहीं खाती
                रोज़ की रिपोर्ट में टोटल गलत आता है
                रिपोर्ट Excel में निकालना बहुत मुश्किल है
                हर दुकान की आइटम वाइज़ सेल्स रिपोर्ट नहीं मिलती
                दिन के अंत की रिपोर्ट खुलने में बहुत समय लगता है
            """),
            "pos": lines("""
                रोज़ सुबह सबसे पहले सेल्स रिपोर्ट देखता हूँ
                आइटम वाइज़ सेल्स रिपोर्ट बहुत काम की है
                सारी दुकानों की रिपोर्ट एक ही जगह दिखती है
                व्हाट्सऐप पर दिन की रिपोर्ट आना बहुत अच्छा है
                Excel में रिपोर्ट निकालना हमारे CA के लिए आसान है
            """),
            "neg+": lines("""
                अलग से रजिस्टर रखना पड़ता है मिलान के लिए।
                रोज़ {amount} रुपये का फर्क आता है।
            """),
            "pos+": lines("""
                अब पता है कौन सा आइटम सबसे ज़्यादा बिकता है।
                रात को हिसाब करने में एक घंटा बचता है।
            """),
        },
        "payments": {
            "neg": lines("""
                {when} UPI पेमेंट फेल हो जाता है
                कार्ड पेमेंट डिक्लाइन होता है फिर भी पैसे कट जाते हैं
                कार्ड का सेटलमेंट {days} देर से आता है
                बिल पर UPI QR में अमाउंट नहीं आता
                ग्राहक ने UPI से पैसे दिए पर पेंडिंग दिखा रहा है
            """),
            "pos": lines("""
                UPI और कार्ड पेमेंट बिना किसी दिक्कत के चलते हैं
                बिल पर UPI QR बहुत बढ़िया है
                सेटलमेंट रोज़ समय पर आता है
                पेमेंट होते ही स्क्रीन पर दिख जाता है
                कार्ड मशीन ऐप से अच्छे से जुड़ी है
            """),
            "neg+": lines("""
                ग्राहकों के पैसे कटे और {days} बाद भी रिफंड नहीं आया।
                {when} ग्राहक चले गए।
                लोगों से कैश माँगना पड़ा।
            """),
            "pos+": lines("""
                अब पेमेंट का मैसेज फ़ोन पर देखना नहीं पड़ता।
                हिसाब अपने आप मिल जाता है।
            """),
        },
        "qr_ordering": {
            "neg": lines("""
                कुछ फ़ोन पर QR मेन्यू खुलता ही नहीं
                QR से आए टेबल ऑर्डर किचन तक नहीं पहुँचते
                QR ऑर्डर में खत्म हुए आइटम भी दिखते हैं
                ग्राहक टेबल का QR स्कैन करते हैं तो एरर आता है
                मेन्यू बदलो तो QR मेन्यू में बहुत देर से दिखता है
            """),
            "pos": lines("""
                ग्राहकों को टेबल से QR मेन्यू पर ऑर्डर करना बहुत पसंद है
                QR ऑर्डर से इंतज़ार आधा हो गया
                टेबल के ऑर्डर सीधे किचन में जाते हैं
                फ़ोटो वाला QR मेन्यू बहुत अच्छा दिखता है
                ग्राहक टेबल से ही ऑर्डर और पेमेंट कर देते हैं
            """),
            "neg+": lines("""
                आखिर में वेटर को हाथ से ऑर्डर लिखना पड़ता है।
                {when} ग्राहक नाराज़ होकर चले गए।
            """),
            "pos+": lines("""
                वीकेंड पर एक वेटर कम लगता है।
                फ़ोटो देखकर ग्राहक ज़्यादा ऑर्डर करते हैं।
            """),
        },
        "onboarding": {
            "neg": lines("""
                सेटअप में {days} लगे और किसी ने मदद नहीं की
                ऑनबोर्डिंग कॉल {n} बार टाल दी गई
                स्टाफ ट्रेनिंग मुश्किल है, बहुत सारी स्क्रीन हैं
                मेन्यू डालने में बहुत समय लगा, इंपोर्ट बार-बार फेल हुआ
                नया स्टाफ बिलिंग स्क्रीन आसानी से नहीं सीख पाता
            """),
            "pos": lines("""
                {mins} मिनट में सेटअप हो गया और उसी दिन बिलिंग शुरू
                ऑनबोर्डिंग टीम ने पूरा मेन्यू डालने में मदद की
                नया स्टाफ एक ही शिफ्ट में सीख जाता है
                हिंदी वाले ट्रेनिंग वीडियो से स्टाफ को बहुत मदद मिली
                दूसरी दुकान का सेटअप भी बहुत आसान था
            """),
            "neg+": lines("""
                हमारा स्टाफ बार-बार बदलता है, इसलिए यह ज़रूरी है।
                ट्रेनिंग वीडियो सिर्फ़ अंग्रेज़ी में हैं।
            """),
            "pos+": lines("""
                पार्ट टाइम वाले भी जल्दी सीख गए।
                सेटअप गाइड एकदम साफ़ थी।
            """),
        },
    },
}

LANGUAGES["hi-Latn"] = {
    "stop": ". ",
    "but": (" lekin ", ", par ", " but ", ". bas ek cheez, ", ", magar "),
    "when": lines("""
        lunch ke rush mein
        saturday shaam ko
        aaj subah
        kal raat
        Diwali wale din
        sabse busy time pe
        is hafte do baar
        shop khulte hi
        evening rush mein
        pichle sunday
    """),
    "n": ("do", "teen", "char", "paanch", "2", "3"),
    "days": ("do din", "10 din", "teen hafte", "pandrah din", "kai din", "do hafte"),
    "open": {
        "detractor": lines("""
            Bahut disappointed hoon.
            Bilkul khush nahi hain.
            Bahut pareshani ho rahi hai.
            Tang aa gaye hain yaar.
            Sorry par ye theek nahi hai.
            Is mahine teesri complaint hai.
        """),
        "passive": lines("""
            Theek thaak hai.
            Chalta hai.
            Zyada tar sahi hai.
            Bura nahi hai.
            Apne kaam ka hai.
        """),
        "promoter": lines("""
            Bahut badhiya!
            Zabardast app hai.
            Hum bahut khush hain.
            Ekdum mast.
            Ab tak ka best POS.
            Full paisa vasool!
        """),
    },
    "close": {
        "detractor": lines("""
            Please jaldi theek karo.
            Dusra system lene ka soch rahe hain.
            Theek nahi hua toh chhod denge.
            Kisi ko recommend nahi karenge.
            Please mujhe call karo.
            Paise dekar ye haal hai.
        """),
        "passive": lines("""
            Ye theek ho jaye toh 10 denge.
            Baaki sab theek hai.
            Umeed hai sudhrega.
            Dekhte hain aage.
        """),
        "promoter": lines("""
            Aise hi accha kaam karte raho!
            Do doston ko bhi bataya hai.
            Poori team ko thank you!
            Zaroor use karo.
            Paisa vasool.
        """),
    },
    "ok": lines("""
        overall accha hai
        app accha hai
        zyada tar theek chalta hai
        product accha hai
        koi badi complaint nahi
        apna kaam chal jata hai
        staff ko pasand hai
    """),
    "meh": lines("""
        kabhi kabhi chhoti problems aati hain
        aur better ho sakta hai
        thode bahut bugs hain
        baaki kuch khaas nahi
        kuch cheezein abhi kachchi hain
        ek do baatein khatakti hain
    """),
    "themes": {
        "printer": {
            "neg": lines("""
                {when} printer baar baar disconnect ho jata hai
                printer se KOT print nahi ho rahe
                bill aadha khaali print hota hai aur printer atak jata hai
                update ke baad printer chalna band ho gaya
                kitchen printer har order {n} baar print karta hai
                bluetooth printer roz subah connect nahi hota
            """),
            "pos": lines("""
                printer app ke saath badhiya chalta hai
                {when} bhi receipt turant print ho jati hai
                kitchen ka KOT sahi printer pe hi nikalta hai
                printer lagana bahut easy tha
                bluetooth printer ek baar bhi disconnect nahi hua
            """),
            "neg+": lines("""
                Haath se bill likhne pade.
                Customer khade rahe aur hum printer {n} baar restart karte rahe.
                Support bolta hai printer ki galti hai.
                Aapka bataya hua printer hi kharida tha.
            """),
            "pos+": lines("""
                Purane system mein aisa kabhi nahi hua.
                Paper roll badalne ke alawa koi jhanjhat nahi.
            """),
        },
        "billing": {
            "neg": lines("""
                bill pe GST galat lag raha hai
                tax invoice pe hamara GSTIN nahi aata
                is mahine do baar paise kate aur refund abhi tak nahi aaya
                invoice pe chai ka HSN code galat hai
                {days} pehle band ki shop ka bhi bill aa raha hai
                har bill mein CGST SGST ka hisaab galat hai
            """),
            "pos": lines("""
                GST invoice har baar sahi banta hai
                hamare CA ko GST report bahut pasand hai
                e-invoice bina kisi help ke chalu ho gaya
                GSTIN aur logo wala invoice bahut professional lagta hai
                billing saaf hai, kabhi extra paise nahi kate
            """),
            "neg+": lines("""
                CA ko {n} mahine ki return theek karni padi.
                {days} ho gaye, refund ka wait kar rahe hain.
                {n} baar complaint kar chuka hoon.
            """),
            "pos+": lines("""
                Ab return bharne mein ek ghanta lagta hai.
                Double charge hua toh ek din mein paise wapas aa gaye.
            """),
        },
        "support": {
            "neg": lines("""
                support wale kabhi call back nahi karte
                support team ne bina theek kiye ticket band kar diya
                support ke reply ke liye {days} wait kiya
                chat bot bas articles bhejta hai, koi insaan baat nahi karta
                {when} support ka number koi nahi uthata
            """),
            "pos": lines("""
                {when} support ne phone uthaya aur minutes mein theek kar diya
                support team bahut acchi hai aur sab jaanti hai
                {mins} minute mein support se call back aa gaya
                hamare account manager bahut help karte hain
                sunday ko bhi support ne whatsapp pe reply kiya
            """),
            "neg+": lines("""
                Ek hi problem ke liye {n} ticket daal chuka hoon.
                Reply late aata hai aur purani baat koi nahi padhta.
                Har baar sab kuch phir se samjhana padta hai.
            """),
            "pos+": lines("""
                Pehla bill print hone tak phone pe rahe.
                Aisi service kam dekhne ko milti hai.
            """),
        },
        "speed": {
            "neg": lines("""
                {when} app bahut slow chalta hai
                POS app din mein {n} baar crash hota hai
                jaldi jaldi item daalo toh billing screen atak jati hai
                tablet pe app hang ho jata hai, restart karna padta hai
                har update ke baad app aur slow ho jata hai
                {when} apne aap logout ho jata hai
            """),
            "pos": lines("""
                purane tablet pe bhi app fast chalta hai
                billing fatafat hoti hai, koi lag nahi
                app aaj tak ek baar bhi crash nahi hua
                naya version ek second mein khul jata hai
                menu mein {items} item hone pe bhi app fast hai
            """),
            "neg+": lines("""
                Customer line mein khade rehte hain.
                Tablet restart karna ab roz ka kaam hai.
                {when} iski wajah se order chhoot gaye.
            """),
            "pos+": lines("""
                Line ab bahut jaldi nikalti hai.
                Staff seconds mein poori table ka bill bana deta hai.
            """),
        },
        "pricing": {
            "neg": lines("""
                chhoti chai ki dukaan ke liye bahut mehenga hai
                bina bataye phir se price badha diya
                pro plan ke paise dete hain phir bhi aadhe features alag se lene padte hain
                ek shop ke liye naya plan paise ke layak nahi hai
                subscription ke upar SMS ka alag charge loot hai
            """),
            "pos": lines("""
                price ke hisaab se bahut badhiya hai
                chhote cafe ke liye starter plan mein sab kuch hai
                purane POS se sasta hai aur kaam zyada karta hai
                yearly plan ki price bilkul sahi hai
                ek ek rupaya vasool hai
            """),
            "neg+": lines("""
                Dusre log aadhi price mein yahi dete hain.
                Plan khatam hote hi switch karne ka soch rahe hain.
                Chhoti shops ko kuch discount milna chahiye.
            """),
            "pos+": lines("""
                Ab tak koi hidden charge nahi.
                Pehle mahine mein hi paise vasool ho gaye.
            """),
        },
        "offline": {
            "neg": lines("""
                internet wapas aane pe offline wale order gayab ho jate hain
                wifi jaate hi billing band ho jati hai
                offline bane bill ghanton tak sync nahi hote
                {when} internet gaya aur sab ruk gaya
                har baar offline ke baad stock galat ho jata hai
            """),
            "pos": lines("""
                do ghante internet nahi tha phir bhi offline mode mein billing chalti rahi
                wifi band ho tab bhi kaam karta hai
                internet aate hi sab kuch sahi se sync ho gaya
                ab network ki koi tension nahi
            """),
            "neg+": lines("""
                Hamare area mein light aur network dono jaate hain.
                {when} sirf cash lena pada.
                Sync ke baad kuch bill do baar aa gaye.
            """),
            "pos+": lines("""
                Hamara internet kharab hai, isliye ye bahut kaam ka hai.
                Sync ke baad kuch bhi gayab nahi hua.
            """),
        },
        "reports": {
            "neg": lines("""
                sales report bank settlement se match nahi karti
                daily report mein total galat aata hai
                report excel mein nikalna bahut mushkil hai
                har outlet ki item wise sales report nahi milti
                end of day report khulne mein bahut time lagta hai
            """),
            "pos": lines("""
                roz subah sabse pehle sales report dekhta hoon
                item wise sales report bahut kaam ki hai
                saare outlets ki report ek hi jagah dikhti hai
                whatsapp pe din ki report aana bahut accha hai
                excel mein report nikalna hamare CA ke liye easy hai
            """),
            "neg+": lines("""
                Alag se register rakhna padta hai match karne ke liye.
                Roz {amount} rupaye ka farak aata hai.
            """),
            "pos+": lines("""
                Ab pata hai kaunsa item sabse zyada bikta hai.
                Raat ko hisaab mein ek ghanta bachta hai.
            """),
        },
        "payments": {
            "neg": lines("""
                {when} UPI payment fail ho jata hai
                card payment decline hota hai phir bhi paise kat jate hain
                card ka settlement {days} late aata hai
                bill pe UPI QR mein amount nahi aata
                customer ne UPI se pay kiya par pending dikha raha hai
            """),
            "pos": lines("""
                UPI aur card payment bina kisi problem ke chalte hain
                bill pe UPI QR bahut badhiya hai
                settlement roz time pe aata hai
                payment hote hi screen pe dikh jata hai
                card machine app se acche se connected hai
            """),
            "neg+": lines("""
                Customers ke paise kate aur {days} baad bhi refund nahi aaya.
                {when} customer chale gaye.
                Logon se cash maangna pada.
            """),
            "pos+": lines("""
                Ab payment ka message phone pe check nahi karna padta.
                Hisaab apne aap match ho jata hai.
            """),
        },
        "qr_ordering": {
            "neg": lines("""
                kuch phones pe QR menu khulta hi nahi
                QR se aaye table order kitchen tak nahi pahunchte
                QR order mein khatam hue item bhi dikhte hain
                customer table ka QR scan karte hain toh error aata hai
                menu badlo toh QR menu mein bahut der se dikhta hai
            """),
            "pos": lines("""
                customers ko table se QR menu pe order karna bahut pasand hai
                QR order se wait aadha ho gaya
                table ke order seedha kitchen mein jaate hain
                photo wala QR menu bahut accha dikhta hai
                customer table se hi order aur payment kar dete hain
            """),
            "neg+": lines("""
                Aakhir mein waiter ko haath se order likhna padta hai.
                {when} customer gussa hoke chale gaye.
            """),
            "pos+": lines("""
                Weekend pe ek waiter kam lagta hai.
                Photo dekh ke customer zyada order karte hain.
            """),
        },
        "onboarding": {
            "neg": lines("""
                setup mein {days} lage aur kisi ne help nahi ki
                onboarding call {n} baar postpone hui
                staff training mushkil hai, bahut saari screens hain
                menu daalne mein bahut time laga, import baar baar fail hua
                naya staff billing screen aasani se nahi seekh pata
            """),
            "pos": lines("""
                {mins} minute mein setup ho gaya aur usi din billing shuru
                onboarding team ne poora menu daalne mein help ki
                naya staff ek hi shift mein seekh jata hai
                hindi training videos se staff ko bahut help mili
                dusre outlet ka setup bhi bahut easy tha
            """),
            "neg+": lines("""
                Hamara staff baar baar badalta hai, isliye ye zaroori hai.
                Training videos sirf english mein hain.
            """),
            "pos+": lines("""
                Part time wale bhi jaldi seekh gaye.
                Setup guide ekdum clear thi.
            """),
        },
    },
}

LANGUAGES["ta"] = {
    "stop": ". ",
    "but": (", ஆனால் ", ". ஆனால் ", ", இருந்தாலும் ", ". ஒரே ஒரு விஷயம், "),
    "when": lines("""
        மதிய நேர கூட்டத்தில்
        சனிக்கிழமை மாலை
        இன்று காலை
        நேற்று இரவு
        பொங்கல் அன்று
        பிஸியான நேரத்தில்
        இந்த வாரம் இரண்டு முறை
        கடை திறந்தவுடன்
        மாலை கூட்டத்தில்
        போன ஞாயிற்றுக்கிழமை
    """),
    "n": ("இரண்டு", "மூன்று", "நான்கு", "ஐந்து", "2", "3"),
    "days": ("இரண்டு நாள்", "ஒரு வாரம்", "பத்து நாள்", "மூன்று வாரம்", "ஒரு மாதம்"),
    "open": {
        "detractor": lines("""
            மிகவும் ஏமாற்றம்.
            சுத்தமாக திருப்தி இல்லை.
            ரொம்ப கஷ்டமாக இருக்கிறது.
            போதும் போதும் என்று ஆகிவிட்டது.
            மன்னிக்கவும், இது சரியில்லை.
            இந்த மாதம் மூன்றாவது புகார்.
        """),
        "passive": lines("""
            பரவாயில்லை.
            ஓகே தான்.
            பெரும்பாலும் சரியாக இருக்கிறது.
            மோசமில்லை.
            எங்களுக்கு வேலை செய்கிறது.
        """),
        "promoter": lines("""
            அருமை!
            சூப்பர் ஆப்.
            நாங்கள் மிகவும் மகிழ்ச்சியாக இருக்கிறோம்.
            மிக சிறந்த சேவை.
            இதுவரை பயன்படுத்தியதில் சிறந்த POS.
        """),
    },
    "close": {
        "detractor": lines("""
            தயவுசெய்து சீக்கிரம் சரி செய்யுங்கள்.
            வேறு சிஸ்டத்துக்கு மாறலாம் என்று யோசிக்கிறோம்.
            சரி ஆகவில்லை என்றால் விட்டுவிடுவோம்.
            யாருக்கும் பரிந்துரைக்க மாட்டேன்.
            தயவுசெய்து என்னை அழைக்கவும்.
        """),
        "passive": lines("""
            இதை சரி செய்தால் 10 கொடுப்போம்.
            மற்றபடி எல்லாம் சரி.
            இன்னும் மேம்படும் என்று நம்புகிறோம்.
            பார்க்கலாம்.
        """),
        "promoter": lines("""
            இப்படியே தொடருங்கள்!
            இரண்டு நண்பர்களுக்கும் சொன்னேன்.
            முழு குழுவுக்கும் நன்றி!
            கண்டிப்பாக பரிந்துரைக்கிறேன்.
            கொடுத்த காசுக்கு மதிப்பு.
        """),
    },
    "ok": lines("""
        மொத்தத்தில் நன்றாக இருக்கிறது
        ஆப் நன்றாக இருக்கிறது
        பெரும்பாலும் சரியாக ஓடுகிறது
        நல்ல தயாரிப்பு
        பெரிய புகார் எதுவும் இல்லை
        எங்கள் தேவைக்கு போதும்
        ஊழியர்களுக்கு பிடித்திருக்கிறது
    """),
    "meh": lines("""
        அவ்வப்போது சின்ன சின்ன பிரச்சனைகள் வருகின்றன
        இன்னும் நன்றாக இருக்கலாம்
        சில பிழைகள் இருக்கின்றன
        மற்றபடி சிறப்பு எதுவும் இல்லை
        சில இடங்களில் இன்னும் முழுமை இல்லை
        ஓரிரு விஷயங்கள் எரிச்சலூட்டுகின்றன
    """),
    "themes": {
        "printer": {
            "neg": lines("""
                {when} பிரிண்டர் அடிக்கடி துண்டிக்கப்படுகிறது
                பிரிண்டரில் KOT பிரிண்ட் ஆகவில்லை
                பில் பாதி வெறுமையாக பிரிண்ட் ஆகிறது, பிரிண்டர் சிக்கிக்கொள்கிறது
                அப்டேட்டுக்குப் பிறகு பிரிண்டர் வேலை செய்யவில்லை
                கிச்சன் பிரிண்டர் ஒவ்வொரு ஆர்டரையும் {n} முறை பிரிண்ட் செய்கிறது
                ப்ளூடூத் பிரிண்டர் தினமும் காலையில் இணைய மறுக்கிறது
            """),
            "pos": lines("""
                பிரிண்டர் ஆப்புடன் அருமையாக வேலை செய்கிறது
                {when} கூட ரசீது உடனே பிரிண்ட் ஆகிறது
                கிச்சன் KOT சரியான பிரிண்டரில் தான் வருகிறது
                பிரிண்டரை இணைப்பது மிகவும் எளிது
                ப்ளூடூத் பிரிண்டர் ஒரு முறை கூட துண்டிக்கவில்லை
            """),
            "neg+": lines("""
                கையால் பில் எழுத வேண்டியிருந்தது.
                வாடிக்கையாளர்கள் காத்திருந்தார்கள், நாங்கள் பிரிண்டரை {n} முறை ரீஸ்டார்ட் செய்தோம்.
                சப்போர்ட் பிரிண்டர் பிரச்சனை என்று சொல்கிறது.
                நீங்கள் சொன்ன பிரிண்டரைத் தான் வாங்கினோம்.
            """),
            "pos+": lines("""
                பழைய சிஸ்டத்தில் இப்படி நடந்ததே இல்லை.
                பேப்பர் ரோல் மாற்றுவதைத் தவிர வேறு தொல்லை இல்லை.
            """),
        },
        "billing": {
            "neg": lines("""
                பில்லில் GST தவறாக கணக்கிடப்படுகிறது
                டாக்ஸ் இன்வாய்ஸில் எங்கள் GSTIN வரவில்லை
                இந்த மாதம் இரண்டு முறை பணம் எடுத்தார்கள், ரீஃபண்ட் இன்னும் வரவில்லை
                இன்வாய்ஸில் டீக்கான HSN கோட் தவறு
                {days} முன்பு மூடிய கடைக்கும் பில் வருகிறது
                ஒவ்வொரு பில்லிலும் CGST SGST கணக்கு தவறு
            """),
            "pos": lines("""
                GST இன்வாய்ஸ் ஒவ்வொரு முறையும் சரியாக வருகிறது
                எங்கள் ஆடிட்டருக்கு GST ரிப்போர்ட் மிகவும் பிடிக்கும்
                இ-இன்வாய்ஸ் யார் உதவியும் இல்லாமல் ஆரம்பித்துவிட்டது
                GSTIN மற்றும் லோகோவுடன் இன்வாய்ஸ் மிகவும் தொழில்முறையாக இருக்கிறது
                பில்லிங் தெளிவாக இருக்கிறது, கூடுதல் கட்டணம் எடுத்ததே இல்லை
            """),
            "neg+": lines("""
                ஆடிட்டர் {n} மாத ரிட்டர்னை திருத்த வேண்டியிருந்தது.
                {days} ஆகியும் பணம் திரும்ப வரவில்லை.
                ஏற்கனவே {n} முறை புகார் செய்தேன்.
            """),
            "pos+": lines("""
                இப்போது ரிட்டர்ன் தாக்கல் செய்ய ஒரு மணி நேரம் போதும்.
                இரண்டு முறை பணம் போனபோது ஒரே நாளில் ரீஃபண்ட் கிடைத்தது.
            """),
        },
        "support": {
            "neg": lines("""
                சப்போர்ட் திரும்ப அழைப்பதே இல்லை
                சப்போர்ட் குழு எதையும் சரி செய்யாமல் டிக்கெட்டை மூடிவிட்டது
                சப்போர்ட் பதிலுக்காக {days} காத்திருந்தேன்
                சாட் பாட் கட்டுரைகளை மட்டும் அனுப்புகிறது, மனிதர் யாரும் பேசுவதில்லை
                {when} சப்போர்ட் எண்ணை யாரும் எடுப்பதில்லை
            """),
            "pos": lines("""
                {when} சப்போர்ட் போனை எடுத்து சில நிமிடங்களில் சரி செய்தார்கள்
                சப்போர்ட் குழு மிகவும் அன்பானவர்கள், எல்லாம் தெரிந்தவர்கள்
                {mins} நிமிடத்தில் சப்போர்ட்டிலிருந்து அழைப்பு வந்தது
                எங்கள் அக்கவுண்ட் மேனேஜர் மிகவும் உதவியாக இருக்கிறார்
                ஞாயிற்றுக்கிழமை கூட சப்போர்ட் வாட்ஸ்அப்பில் பதில் சொன்னார்கள்
            """),
            "neg+": lines("""
                ஒரே பிரச்சனைக்கு {n} டிக்கெட் போட்டுவிட்டேன்.
                பதில் தாமதமாக வருகிறது, பழைய செய்திகளை யாரும் படிப்பதில்லை.
                ஒவ்வொரு முறையும் எல்லாவற்றையும் மறுபடி விளக்க வேண்டும்.
            """),
            "pos+": lines("""
                முதல் பில் பிரிண்ட் ஆகும் வரை போனில் இருந்தார்கள்.
                இப்படிப்பட்ட சேவை அரிது.
            """),
        },
        "speed": {
            "neg": lines("""
                {when} ஆப் ரொம்ப மெதுவாக இருக்கிறது
                POS ஆப் ஒரு நாளில் {n} முறை கிராஷ் ஆகிறது
                வேகமாக ஐட்டம் சேர்த்தால் பில்லிங் ஸ்கிரீன் உறைந்துவிடுகிறது
                டேப்லெட்டில் ஆப் ஹேங் ஆகிறது, ரீஸ்டார்ட் செய்ய வேண்டியிருக்கிறது
                ஒவ்வொரு அப்டேட்டுக்குப் பிறகும் ஆப் இன்னும் மெதுவாகிறது
                {when} தானாகவே லாக் அவுட் ஆகிவிடுகிறது
            """),
            "pos": lines("""
                பழைய டேப்லெட்டிலும் ஆப் வேகமாக ஓடுகிறது
                பில்லிங் வேகமாக நடக்கிறது, எந்த தாமதமும் இல்லை
                ஆப் இதுவரை ஒரு முறை கூட கிராஷ் ஆகவில்லை
                புதிய வெர்ஷன் ஒரு நொடியில் திறக்கிறது
                மெனுவில் {items} ஐட்டம் இருந்தாலும் ஆப் வேகமாக இருக்கிறது
            """),
            "neg+": lines("""
                வாடிக்கையாளர்கள் வரிசையில் நிற்கிறார்கள்.
                டேப்லெட்டை ரீஸ்டார்ட் செய்வது இப்போது தினசரி வேலை.
                {when} இதனால் ஆர்டர்கள் போய்விட்டன.
            """),
            "pos+": lines("""
                வரிசை இப்போது சீக்கிரம் நகர்கிறது.
                ஊழியர்கள் சில நொடிகளில் முழு டேபிளுக்கும் பில் போடுகிறார்கள்.
            """),
        },
        "pricing": {
            "neg": lines("""
                சின்ன டீக்கடைக்கு ரொம்ப விலை அதிகம்
                சொல்லாமலே மறுபடியும் விலையை ஏற்றிவிட்டார்கள்
                ப்ரோ பிளானுக்கு பணம் கட்டுகிறோம், ஆனாலும் பாதி வசதிகளுக்கு தனி கட்டணம்
                ஒரு கடைக்கு புதிய பிளான் விலைக்கு ஏற்றதல்ல
                சப்ஸ்கிரிப்ஷனுக்கு மேல் SMS கட்டணம் தனியாக, இது கொள்ளை
            """),
            "pos": lines("""
                விலைக்கு ஏற்ற நல்ல மதிப்பு
                சின்ன கஃபேக்கு ஸ்டார்ட்டர் பிளானில் எல்லாம் இருக்கிறது
                பழைய POS-ஐ விட விலை குறைவு, வேலை அதிகம்
                வருடாந்திர பிளான் விலை மிகவும் நியாயமானது
                கொடுக்கும் ஒவ்வொரு ரூபாய்க்கும் மதிப்பு
            """),
            "neg+": lines("""
                மற்றவர்கள் இதையே பாதி விலையில் தருகிறார்கள்.
                பிளான் முடிந்ததும் மாறலாம் என்று யோசிக்கிறோம்.
                சின்ன கடைகளுக்கு தள்ளுபடி கொடுத்தால் நல்லது.
            """),
            "pos+": lines("""
                இதுவரை மறைமுக கட்டணம் எதுவும் இல்லை.
                முதல் மாதத்திலேயே செலவு ஈடாகிவிட்டது.
            """),
        },
        "offline": {
            "neg": lines("""
                இன்டர்நெட் திரும்ப வந்ததும் ஆஃப்லைன் ஆர்டர்கள் காணாமல் போகின்றன
                வைஃபை போனவுடன் பில்லிங் நின்றுவிடுகிறது
                ஆஃப்லைனில் போட்ட பில்கள் மணிக்கணக்கில் சிங்க் ஆவதில்லை
                {when} இன்டர்நெட் போனது, எல்லாம் நின்றுவிட்டது
                ஒவ்வொரு முறை ஆஃப்லைனுக்குப் பிறகும் ஸ்டாக் கணக்கு தவறாகிறது
            """),
            "pos": lines("""
                இரண்டு மணி நேரம் இன்டர்நெட் இல்லை, ஆஃப்லைன் மோடில் பில்லிங் நடந்தது
                வைஃபை இல்லாத போதும் வேலை செய்கிறது
                இன்டர்நெட் வந்ததும் எல்லாம் சரியாக சிங்க் ஆனது
                இப்போது நெட்வொர்க் பற்றி கவலையே இல்லை
            """),
            "neg+": lines("""
                எங்கள் பகுதியில் கரண்ட்டும் நெட்வொர்க்கும் அடிக்கடி போகும்.
                {when} கேஷ் மட்டும் வாங்க வேண்டியிருந்தது.
                சிங்க் ஆன பிறகு சில பில்கள் இரண்டு முறை வந்தன.
            """),
            "pos+": lines("""
                எங்கள் இன்டர்நெட் மோசம், அதனால் இது பெரிய உதவி.
                சிங்க் ஆன பிறகு எதுவும் காணாமல் போகவில்லை.
            """),
        },
        "reports": {
            "neg": lines("""
                விற்பனை அறிக்கை வங்கி செட்டில்மென்ட்டுடன் பொருந்தவில்லை
                தினசரி அறிக்கையில் மொத்தம் தவறாக வருகிறது
                அறிக்கையை எக்செல்லுக்கு எடுப்பது ரொம்ப கஷ்டம்
                ஒவ்வொரு கடைக்கும் ஐட்டம் வாரியான விற்பனை அறிக்கை இல்லை
                நாள் முடிவு அறிக்கை திறக்க ரொம்ப நேரம் ஆகிறது
            """),
            "pos": lines("""
                தினமும் காலையில் முதலில் விற்பனை அறிக்கையைத் தான் பார்க்கிறேன்
                ஐட்டம் வாரியான விற்பனை அறிக்கை மிகவும் பயனுள்ளது
                எல்லா கடைகளின் அறிக்கையும் ஒரே இடத்தில் தெரிகிறது
                வாட்ஸ்அப்பில் நாள் முடிவு அறிக்கை வருவது அருமை
                எக்செல்லில் அறிக்கை எடுப்பது எங்கள் ஆடிட்டருக்கு எளிது
            """),
            "neg+": lines("""
                சரிபார்க்க தனியாக நோட்டு வைத்திருக்கிறேன்.
                தினமும் {amount} ரூபாய் வித்தியாசம் வருகிறது.
            """),
            "pos+": lines("""
                எந்த ஐட்டம் அதிகம் விற்கிறது என்று இப்போது தெரியும்.
                இரவு கணக்கு போடுவதில் ஒரு மணி நேரம் மிச்சம்.
            """),
        },
        "payments": {
            "neg": lines("""
                {when} UPI பேமெண்ட் தோல்வியடைகிறது
                கார்டு பேமெண்ட் நிராகரிக்கப்படுகிறது, ஆனாலும் பணம் எடுக்கப்படுகிறது
                கார்டு செட்டில்மென்ட் {days} தாமதமாக வருகிறது
                பில்லில் உள்ள UPI QR-ல் தொகை வருவதில்லை
                வாடிக்கையாளர் UPI-ல் பணம் செலுத்தினார், ஆனால் பெண்டிங் என்று காட்டுகிறது
            """),
            "pos": lines("""
                UPI மற்றும் கார்டு பேமெண்ட் எந்த பிரச்சனையும் இல்லாமல் வேலை செய்கின்றன
                பில்லில் UPI QR அருமையான வசதி
                செட்டில்மென்ட் தினமும் நேரத்திற்கு வருகிறது
                பேமெண்ட் ஆனவுடன் ஸ்கிரீனில் தெரிகிறது
                கார்டு மெஷின் ஆப்புடன் நன்றாக இணைந்திருக்கிறது
            """),
            "neg+": lines("""
                வாடிக்கையாளர்களிடம் பணம் எடுத்தார்கள், {days} ஆகியும் பணம் திரும்ப வரவில்லை.
                {when} வாடிக்கையாளர்கள் போய்விட்டார்கள்.
                கேஷ் கேட்க வேண்டியிருந்தது.
            """),
            "pos+": lines("""
                இனி போனில் பேமெண்ட் மெசேஜ் பார்க்க வேண்டியதில்லை.
                கணக்கு தானாகவே பொருந்துகிறது.
            """),
        },
        "qr_ordering": {
            "neg": lines("""
                சில போன்களில் QR மெனு திறக்கவே இல்லை
                QR வழியாக வரும் டேபிள் ஆர்டர்கள் கிச்சனுக்கு போவதில்லை
                QR ஆர்டரில் தீர்ந்துபோன ஐட்டங்களும் தெரிகின்றன
                வாடிக்கையாளர்கள் டேபிள் QR ஸ்கேன் செய்தால் எரர் வருகிறது
                மெனுவை மாற்றினால் QR மெனுவில் தெரிய ரொம்ப நேரம் ஆகிறது
            """),
            "pos": lines("""
                வாடிக்கையாளர்களுக்கு டேபிளில் இருந்தே QR மெனுவில் ஆர்டர் செய்வது பிடிக்கிறது
                QR ஆர்டரால் காத்திருப்பு பாதியாக குறைந்தது
                டேபிள் ஆர்டர்கள் நேராக கிச்சனுக்குப் போகின்றன
                படங்களுடன் QR மெனு அழகாக இருக்கிறது
                வாடிக்கையாளர்கள் டேபிளில் இருந்தே ஆர்டர் செய்து பணம் செலுத்துகிறார்கள்
            """),
            "neg+": lines("""
                கடைசியில் வெயிட்டர் கையால் ஆர்டர் எழுத வேண்டியிருக்கிறது.
                {when} வாடிக்கையாளர்கள் கோபப்பட்டு போய்விட்டார்கள்.
            """),
            "pos+": lines("""
                வார இறுதியில் ஒரு வெயிட்டர் குறைவாக போதும்.
                படங்களைப் பார்த்து வாடிக்கையாளர்கள் அதிகம் ஆர்டர் செய்கிறார்கள்.
            """),
        },
        "onboarding": {
            "neg": lines("""
                செட்டப் செய்ய {days} ஆனது, யாரும் உதவவில்லை
                ஆன்போர்டிங் அழைப்பு {n} முறை தள்ளிப்போனது
                ஊழியர் பயிற்சி குழப்பமாக இருக்கிறது, நிறைய ஸ்கிரீன்கள்
                மெனுவை ஏற்ற ரொம்ப நேரம் ஆனது, இம்போர்ட் அடிக்கடி தோல்வி
                புதிய ஊழியர்களால் பில்லிங் ஸ்கிரீனை சுலபமாக கற்க முடியவில்லை
            """),
            "pos": lines("""
                {mins} நிமிடத்தில் செட்டப் முடிந்தது, அன்றே பில்லிங் ஆரம்பித்தோம்
                ஆன்போர்டிங் குழு முழு மெனுவையும் ஏற்ற உதவியது
                புதிய ஊழியர்கள் ஒரே ஷிப்டில் கற்றுக்கொள்கிறார்கள்
                தமிழ் பயிற்சி வீடியோக்கள் ஊழியர்களுக்கு மிகவும் உதவின
                இரண்டாவது கடையின் செட்டப்பும் மிக எளிதாக இருந்தது
            """),
            "neg+": lines("""
                எங்கள் ஊழியர்கள் அடிக்கடி மாறுவார்கள், அதனால் இது முக்கியம்.
                பயிற்சி வீடியோக்கள் ஆங்கிலத்தில் மட்டுமே உள்ளன.
            """),
            "pos+": lines("""
                பகுதி நேர ஊழியர்களும் சீக்கிரம் கற்றுக்கொண்டார்கள்.
                செட்டப் வழிகாட்டி மிகத் தெளிவாக இருந்தது.
            """),
        },
    },
}

LANGUAGES["bn"] = {
    "stop": "। ",
    "but": (", কিন্তু ", "। তবে ", ", যদিও ", "। শুধু একটা কথা, "),
    "when": lines("""
        দুপুরের ভিড়ের সময়
        শনিবার সন্ধ্যায়
        আজ সকালে
        কাল রাতে
        পুজোর দিন
        সবচেয়ে ব্যস্ত সময়ে
        এই সপ্তাহে দুবার
        দোকান খোলার সাথে সাথে
        সন্ধ্যার ভিড়ে
        গত রবিবার
    """),
    "n": ("দুই", "তিন", "চার", "পাঁচ", "2", "3"),
    "days": ("দুই দিন", "এক সপ্তাহ", "দশ দিন", "তিন সপ্তাহ", "এক মাস"),
    "open": {
        "detractor": lines("""
            খুবই হতাশ।
            একদম খুশি নই।
            খুব ঝামেলা হচ্ছে।
            বিরক্ত হয়ে গেছি।
            দুঃখিত, কিন্তু এটা ঠিক নয়।
            এই মাসে তৃতীয়বার অভিযোগ করছি।
        """),
        "passive": lines("""
            মোটামুটি।
            চলে যায়।
            বেশিরভাগ ঠিক আছে।
            খারাপ না।
            আমাদের কাজ চলে যায়।
        """),
        "promoter": lines("""
            দারুণ!
            অসাধারণ অ্যাপ।
            আমরা খুব খুশি।
            একদম দুর্দান্ত।
            এখন পর্যন্ত সেরা POS।
        """),
    },
    "close": {
        "detractor": lines("""
            দয়া করে তাড়াতাড়ি ঠিক করুন।
            অন্য সিস্টেমে যাওয়ার কথা ভাবছি।
            ঠিক না হলে ছেড়ে দেব।
            কাউকে সুপারিশ করব না।
            দয়া করে আমাকে ফোন করুন।
        """),
        "passive": lines("""
            এটা ঠিক হলে 10 দেব।
            বাকি সব ঠিক আছে।
            আশা করি আরও ভালো হবে।
            দেখা যাক।
        """),
        "promoter": lines("""
            এভাবেই চালিয়ে যান!
            দুই বন্ধুকেও বলেছি।
            পুরো টিমকে ধন্যবাদ!
            অবশ্যই সুপারিশ করব।
            পয়সা উসুল।
        """),
    },
    "ok": lines("""
        সব মিলিয়ে ভালো
        অ্যাপটা ভালো
        বেশিরভাগ সময় ঠিকঠাক চলে
        প্রোডাক্ট ভালো
        বড় কোনো অভিযোগ নেই
        আমাদের কাজ চলে যায়
        স্টাফদের পছন্দ হয়েছে
    """),
    "meh": lines("""
        মাঝে মাঝে ছোটখাটো সমস্যা হয়
        আরও ভালো হতে পারে
        কিছু বাগ আছে
        এছাড়া বিশেষ কিছু নেই
        কিছু জিনিস এখনও কাঁচা
        দু-একটা ব্যাপার বিরক্ত করে
    """),
    "themes": {
        "printer": {
            "neg": lines("""
                {when} প্রিন্টার বারবার ডিসকানেক্ট হয়ে যায়
                প্রিন্টার থেকে KOT প্রিন্ট হচ্ছে না
                বিল অর্ধেক ফাঁকা প্রিন্ট হয় আর প্রিন্টার আটকে যায়
                আপডেটের পর প্রিন্টার কাজ করছে না
                কিচেনের প্রিন্টার প্রতিটা অর্ডার {n} বার প্রিন্ট করে
                ব্লুটুথ প্রিন্টার রোজ সকালে কানেক্ট হয় না
            """),
            "pos": lines("""
                প্রিন্টার অ্যাপের সাথে দারুণ চলে
                {when} ও রসিদ সাথে সাথে প্রিন্ট হয়
                কিচেনের KOT ঠিক প্রিন্টারেই বের হয়
                প্রিন্টার লাগানো খুব সহজ ছিল
                ব্লুটুথ প্রিন্টার একবারও ডিসকানেক্ট হয়নি
            """),
            "neg+": lines("""
                হাতে বিল লিখতে হয়েছে।
                খদ্দেররা দাঁড়িয়ে ছিল আর আমরা প্রিন্টার {n} বার রিস্টার্ট করছিলাম।
                সাপোর্ট বলে প্রিন্টারের দোষ।
                আপনাদের বলা প্রিন্টারটাই কিনেছিলাম।
            """),
            "pos+": lines("""
                পুরনো সিস্টেমে এমন কখনও হয়নি।
                পেপার রোল বদলানো ছাড়া কোনো ঝামেলা নেই।
            """),
        },
        "billing": {
            "neg": lines("""
                বিলে GST ভুল হিসাব হচ্ছে
                ট্যাক্স ইনভয়েসে আমাদের GSTIN আসে না
                এই মাসে দুবার টাকা কেটেছে আর রিফান্ড এখনও আসেনি
                ইনভয়েসে চায়ের HSN কোড ভুল
                {days} আগে বন্ধ করা দোকানেরও বিল আসছে
                প্রতিটা বিলে CGST SGST এর হিসাব ভুল
            """),
            "pos": lines("""
                GST ইনভয়েস প্রতিবার ঠিকঠাক হয়
                আমাদের হিসাবরক্ষকের GST রিপোর্ট খুব পছন্দ
                ই-ইনভয়েস কারো সাহায্য ছাড়াই চালু হয়ে গেছে
                GSTIN আর লোগো সহ ইনভয়েস খুব প্রফেশনাল দেখায়
                বিলিং পরিষ্কার, কখনও বাড়তি টাকা কাটেনি
            """),
            "neg+": lines("""
                হিসাবরক্ষককে {n} মাসের রিটার্ন ঠিক করতে হয়েছে।
                {days} হয়ে গেল, এখনও টাকা ফেরত পাইনি।
                {n} বার অভিযোগ করেছি।
            """),
            "pos+": lines("""
                এখন রিটার্ন জমা দিতে এক ঘণ্টা লাগে।
                দুবার টাকা কাটলে এক দিনেই রিফান্ড পেয়েছি।
            """),
        },
        "support": {
            "neg": lines("""
                সাপোর্ট কখনও কল ব্যাক করে না
                সাপোর্ট টিম কিছু ঠিক না করেই টিকিট বন্ধ করে দিয়েছে
                সাপোর্টের উত্তরের জন্য {days} অপেক্ষা করেছি
                চ্যাট বট শুধু লেখা পাঠায়, কোনো মানুষ কথা বলে না
                {when} সাপোর্টের নম্বর কেউ ধরে না
            """),
            "pos": lines("""
                {when} সাপোর্ট ফোন ধরে কয়েক মিনিটে ঠিক করে দিয়েছে
                সাপোর্ট টিম খুব ভদ্র আর সব জানে
                {mins} মিনিটের মধ্যে সাপোর্ট থেকে কল ব্যাক এসেছে
                আমাদের অ্যাকাউন্ট ম্যানেজার খুব সাহায্য করেন
                রবিবারেও সাপোর্ট হোয়াটসঅ্যাপে উত্তর দিয়েছে
            """),
            "neg+": lines("""
                একই সমস্যার জন্য {n}টা টিকিট করেছি।
                উত্তর দেরিতে আসে আর আগের কথা কেউ পড়ে না।
                প্রতিবার সব আবার বোঝাতে হয়।
            """),
            "pos+": lines("""
                প্রথম বিল প্রিন্ট হওয়া পর্যন্ত ফোনে ছিলেন।
                এমন সার্ভিস খুব কম দেখা যায়।
            """),
        },
        "speed": {
            "neg": lines("""
                {when} অ্যাপ খুব ধীরে চলে
                POS অ্যাপ দিনে {n} বার ক্র্যাশ করে
                তাড়াতাড়ি আইটেম দিলে বিলিং স্ক্রিন আটকে যায়
                ট্যাবলেটে অ্যাপ হ্যাং হয়ে যায়, রিস্টার্ট করতে হয়
                প্রতিটা আপডেটের পর অ্যাপ আরও ধীর হয়ে যায়
                {when} নিজে নিজেই লগ আউট হয়ে যায়
            """),
            "pos": lines("""
                পুরনো ট্যাবলেটেও অ্যাপ দ্রুত চলে
                বিলিং খুব তাড়াতাড়ি হয়, কোনো ল্যাগ নেই
                অ্যাপ আজ পর্যন্ত একবারও ক্র্যাশ করেনি
                নতুন ভার্সন এক সেকেন্ডে খোলে
                মেনুতে {items}টা আইটেম থাকলেও অ্যাপ দ্রুত
            """),
            "neg+": lines("""
                খদ্দেররা লাইনে দাঁড়িয়ে থাকে।
                ট্যাবলেট রিস্টার্ট করা এখন রোজকার কাজ।
                {when} এর জন্য অর্ডার হাতছাড়া হয়েছে।
            """),
            "pos+": lines("""
                লাইন এখন অনেক তাড়াতাড়ি এগোয়।
                স্টাফ কয়েক সেকেন্ডে পুরো টেবিলের বিল করে ফেলে।
            """),
        },
        "pricing": {
            "neg": lines("""
                ছোট চায়ের দোকানের জন্য খুব দামি
                না জানিয়ে আবার দাম বাড়িয়ে দিয়েছে
                প্রো প্ল্যানের টাকা দিই তবু অর্ধেক ফিচার আলাদা কিনতে হয়
                একটা দোকানের জন্য নতুন প্ল্যান দামের যোগ্য নয়
                সাবস্ক্রিপশনের উপর SMS এর আলাদা চার্জ একদম লুট
            """),
            "pos": lines("""
                দামের তুলনায় দারুণ
                ছোট ক্যাফের জন্য স্টার্টার প্ল্যানে সবকিছু আছে
                পুরনো POS এর চেয়ে সস্তা আর কাজ বেশি
                বার্ষিক প্ল্যানের দাম খুবই ন্যায্য
                প্রতিটা টাকার দাম উসুল
            """),
            "neg+": lines("""
                অন্যরা অর্ধেক দামে এটাই দেয়।
                প্ল্যান শেষ হলে বদলানোর কথা ভাবছি।
                ছোট দোকানের জন্য কিছু ছাড় দিলে ভালো হয়।
            """),
            "pos+": lines("""
                এখন পর্যন্ত কোনো লুকানো চার্জ নেই।
                প্রথম মাসেই টাকা উঠে এসেছে।
            """),
        },
        "offline": {
            "neg": lines("""
                ইন্টারনেট ফিরে এলে অফলাইনের অর্ডার হারিয়ে যায়
                ওয়াইফাই গেলেই বিলিং বন্ধ হয়ে যায়
                অফলাইনে করা বিল ঘণ্টার পর ঘণ্টা সিঙ্ক হয় না
                {when} ইন্টারনেট চলে গেল আর সব থেমে গেল
                প্রতিবার অফলাইনের পর স্টকের হিসাব ভুল হয়ে যায়
            """),
            "pos": lines("""
                দুই ঘণ্টা ইন্টারনেট ছিল না, তবু অফলাইন মোডে বিলিং চলেছে
                ওয়াইফাই না থাকলেও কাজ করে
                ইন্টারনেট আসতেই সব ঠিকঠাক সিঙ্ক হয়ে গেছে
                এখন নেটওয়ার্ক নিয়ে কোনো চিন্তা নেই
            """),
            "neg+": lines("""
                আমাদের এলাকায় কারেন্ট আর নেটওয়ার্ক দুটোই যায়।
                {when} শুধু ক্যাশ নিতে হয়েছে।
                সিঙ্কের পর কিছু বিল দুবার এসেছে।
            """),
            "pos+": lines("""
                আমাদের ইন্টারনেট খারাপ, তাই এটা খুব কাজের।
                সিঙ্কের পর কিছুই হারায়নি।
            """),
        },
        "reports": {
            "neg": lines("""
                সেলস রিপোর্ট ব্যাংকের সেটেলমেন্টের সাথে মেলে না
                রোজকার রিপোর্টে মোট হিসাব ভুল আসে
                রিপোর্ট এক্সেলে নেওয়া খুব কঠিন
                প্রতিটা দোকানের আইটেম অনুযায়ী সেলস রিপোর্ট পাওয়া যায় না
                দিনের শেষের রিপোর্ট খুলতে অনেক সময় লাগে
            """),
            "pos": lines("""
                রোজ সকালে প্রথমেই সেলস রিপোর্ট দেখি
                আইটেম অনুযায়ী সেলস রিপোর্ট খুব কাজের
                সব দোকানের রিপোর্ট এক জায়গায় দেখা যায়
                হোয়াটসঅ্যাপে দিনের রিপোর্ট আসাটা দারুণ
                এক্সেলে রিপোর্ট নেওয়া আমাদের হিসাবরক্ষকের জন্য সহজ
            """),
            "neg+": lines("""
                মেলানোর জন্য আলাদা খাতা রাখতে হয়।
                রোজ {amount} টাকার ফারাক আসে।
            """),
            "pos+": lines("""
                এখন জানি কোন আইটেম সবচেয়ে বেশি বিক্রি হয়।
                রাতে হিসাব করতে এক ঘণ্টা বাঁচে।
            """),
        },
        "payments": {
            "neg": lines("""
                {when} UPI পেমেন্ট ফেল করে
                কার্ড পেমেন্ট ডিক্লাইন হয় অথচ টাকা কেটে যায়
                কার্ডের সেটেলমেন্ট {days} দেরিতে আসে
                বিলের UPI QR এ টাকার অঙ্ক আসে না
                খদ্দের UPI তে টাকা দিয়েছে কিন্তু পেন্ডিং দেখাচ্ছে
            """),
            "pos": lines("""
                UPI আর কার্ড পেমেন্ট কোনো সমস্যা ছাড়াই চলে
                বিলে UPI QR দারুণ জিনিস
                সেটেলমেন্ট রোজ সময়মতো আসে
                পেমেন্ট হতেই স্ক্রিনে দেখা যায়
                কার্ড মেশিন অ্যাপের সাথে ভালোভাবে যুক্ত
            """),
            "neg+": lines("""
                খদ্দেরদের টাকা কেটেছে, {days} পরেও রিফান্ড আসেনি।
                {when} খদ্দেররা চলে গেছে।
                লোকজনের কাছে ক্যাশ চাইতে হয়েছে।
            """),
            "pos+": lines("""
                এখন আর ফোনে পেমেন্টের মেসেজ দেখতে হয় না।
                হিসাব নিজে থেকেই মিলে যায়।
            """),
        },
        "qr_ordering": {
            "neg": lines("""
                কিছু ফোনে QR মেনু খোলেই না
                QR থেকে আসা টেবিলের অর্ডার কিচেনে পৌঁছায় না
                QR অর্ডারে শেষ হয়ে যাওয়া আইটেমও দেখায়
                খদ্দেররা টেবিলের QR স্ক্যান করলে এরর আসে
                মেনু বদলালে QR মেনুতে দেখাতে অনেক দেরি হয়
            """),
            "pos": lines("""
                খদ্দেরদের টেবিল থেকে QR মেনুতে অর্ডার করা খুব পছন্দ
                QR অর্ডারে অপেক্ষা অর্ধেক হয়ে গেছে
                টেবিলের অর্ডার সোজা কিচেনে যায়
                ছবি সহ QR মেনু দেখতে খুব সুন্দর
                খদ্দেররা টেবিল থেকেই অর্ডার আর পেমেন্ট করে দেয়
            """),
            "neg+": lines("""
                শেষে ওয়েটারকে হাতে অর্ডার লিখতে হয়।
                {when} খদ্দেররা রেগে চলে গেছে।
            """),
            "pos+": lines("""
                উইকেন্ডে একজন ওয়েটার কম লাগে।
                ছবি দেখে খদ্দেররা বেশি অর্ডার করে।
            """),
        },
        "onboarding": {
            "neg": lines("""
                সেটআপ করতে {days} লেগেছে আর কেউ সাহায্য করেনি
                অনবোর্ডিং কল {n} বার পিছিয়ে দেওয়া হয়েছে
                স্টাফ ট্রেনিং খুব জটিল, অনেক স্ক্রিন
                মেনু তুলতে অনেক সময় লেগেছে, ইমপোর্ট বারবার ফেল করেছে
                নতুন স্টাফ বিলিং স্ক্রিন সহজে শিখতে পারে না
            """),
            "pos": lines("""
                {mins} মিনিটে সেটআপ হয়ে গেছে আর সেদিনই বিলিং শুরু
                অনবোর্ডিং টিম পুরো মেনু তুলতে সাহায্য করেছে
                নতুন স্টাফ এক শিফটেই শিখে যায়
                বাংলা ট্রেনিং ভিডিও স্টাফদের খুব কাজে লেগেছে
                দ্বিতীয় দোকানের সেটআপও খুব সহজ ছিল
            """),
            "neg+": lines("""
                আমাদের স্টাফ বারবার বদলায়, তাই এটা জরুরি।
                ট্রেনিং ভিডিও শুধু ইংরেজিতে।
            """),
            "pos+": lines("""
                পার্ট টাইম স্টাফরাও তাড়াতাড়ি শিখে গেছে।
                সেটআপ গাইড একদম পরিষ্কার ছিল।
            """),
        },
    },
}

LANGUAGES["es"] = {
    "stop": ". ",
    "but": (", pero ", " pero ", ". Lo único: ", ", aunque ", ". Eso sí, "),
    "when": lines("""
        a la hora de comer
        un sábado lleno
        esta mañana
        ayer por la tarde
        en pleno servicio
        en el puente
        dos veces esta semana
        justo al abrir
        en la hora punta de la tarde
        el domingo pasado
    """),
    "n": ("dos", "tres", "cuatro", "2", "3", "5"),
    "days": ("dos días", "una semana", "10 días", "tres semanas", "un mes"),
    "open": {
        "detractor": lines("""
            Muy decepcionado.
            Nada contentos.
            Un mes muy frustrante.
            Estoy harto.
            Lo siento, pero esto no funciona.
            Tercera queja este mes.
        """),
        "passive": lines("""
            Está bien.
            Correcto.
            En general bien.
            No está mal.
            Nos sirve.
        """),
        "promoter": lines("""
            ¡Me encanta!
            Muy buen producto.
            Estamos muy contentos.
            Una maravilla.
            El mejor TPV que hemos usado.
            ¡10/10!
        """),
    },
    "close": {
        "detractor": lines("""
            Arréglenlo cuanto antes, por favor.
            Estamos pensando en cambiarnos.
            Si no se arregla, nos vamos.
            No lo recomendaría.
            Por favor, llámenme.
            Inaceptable para un servicio de pago.
        """),
        "passive": lines("""
            Arreglen esto y es un 10.
            Por lo demás, bien.
            Espero que mejore.
            Ya veremos.
        """),
        "promoter": lines("""
            ¡Sigan así!
            Ya se lo recomendé a dos amigos.
            ¡Gracias al equipo!
            Lo recomiendo mucho.
            Vale cada euro.
        """),
    },
    "ok": lines("""
        en general está bien
        la app está bien
        casi siempre funciona
        buen producto
        sin grandes quejas
        hace lo que necesitamos
        al personal le gusta
    """),
    "meh": lines("""
        de vez en cuando hay fallos pequeños
        podría ser mejor
        tiene algunos bugs
        nada especial por lo demás
        le faltan detalles
        un par de cosas nos molestan
    """),
    "themes": {
        "printer": {
            "neg": lines("""
                la impresora de tickets se desconectó {when}
                la impresora de cocina dejó de imprimir las comandas {when}
                los tickets salen medio en blanco y la impresora se atasca
                desde la última actualización la impresora no funciona
                la impresora de cocina imprime cada pedido {n} veces
                la impresora bluetooth no se empareja ninguna mañana
            """),
            "pos": lines("""
                la impresora térmica funciona perfecta con la app
                los tickets salen al instante, incluso {when}
                las comandas salen siempre en la impresora correcta
                conectar la impresora fue enchufar y listo
                la impresora bluetooth no se ha desconectado ni una vez
            """),
            "neg+": lines("""
                Tuvimos que hacer las cuentas a mano.
                Los clientes esperando y nosotros reiniciando la impresora {n} veces.
                Soporte dice que es la impresora y el fabricante dice que es su app.
                Compramos la impresora que ustedes recomendaron.
            """),
            "pos+": lines("""
                Hasta la impresora de cocina funciona sin problemas.
                Con el TPV anterior esto era imposible.
            """),
        },
        "billing": {
            "neg": lines("""
                el IVA de las facturas está mal calculado
                a la factura le falta nuestro NIF
                me cobraron dos veces este mes y el reembolso no llega
                las facturas salen con el tipo de IVA equivocado
                me siguen cobrando un local que cerré hace {days}
                la factura electrónica da error cada dos por tres
            """),
            "pos": lines("""
                las facturas con IVA salen siempre correctas
                a mi gestor le encantan los informes de impuestos
                la factura electrónica se configuró sin ayuda
                las facturas con nuestro logo quedan muy profesionales
                la facturación es clara y nunca me cobraron de más
            """),
            "neg+": lines("""
                Mi gestor tuvo que corregir {n} meses de declaraciones.
                Sigo esperando el reembolso después de {days}.
                Ya lo reclamé {n} veces.
            """),
            "pos+": lines("""
                Ahora hago la declaración en una hora.
                Un cobro doble me lo devolvieron en un día, con reembolso completo.
            """),
        },
        "support": {
            "neg": lines("""
                soporte nunca devuelve la llamada
                soporte cerró mi incidencia sin resolver nada
                esperé {days} una respuesta de soporte
                el chatbot solo manda artículos de ayuda, nunca una persona
                {when} nadie contestó el teléfono de soporte
            """),
            "pos": lines("""
                soporte contestó {when} y lo arregló en minutos
                el equipo de soporte es amable y conoce el producto
                soporte me devolvió la llamada en {mins} minutos
                nuestra gestora de cuenta nos ayuda muchísimo
                soporte respondió por WhatsApp incluso un domingo
            """),
            "neg+": lines("""
                Abrí {n} incidencias por el mismo problema.
                Responden tarde y nadie lee los mensajes anteriores.
                Cada vez tengo que explicarlo todo de nuevo.
            """),
            "pos+": lines("""
                Se quedaron al teléfono hasta que salió el primer ticket.
                Pocas veces se ve un servicio así.
            """),
        },
        "speed": {
            "neg": lines("""
                la app iba lentísima {when}
                la app del TPV se cuelga {n} veces al día
                la pantalla de cobro se congela si metemos productos rápido
                la app se queda pillada en la tablet y hay que reiniciarla
                cada actualización la hace más lenta
                nos cerró la sesión {when} sin motivo
            """),
            "pos": lines("""
                la app va rápida incluso en nuestra tablet vieja
                cobrar es rapidísimo, sin esperas
                la app nunca se nos ha colgado
                la versión nueva carga en un segundo
                va fluida aunque tengamos {items} productos en la carta
            """),
            "neg+": lines("""
                Los clientes esperan en la cola mientras carga.
                Reiniciar la tablet ya es parte de la rutina.
                Perdimos pedidos {when} por esto.
            """),
            "pos+": lines("""
                La cola avanza mucho más rápido.
                El personal cobra una mesa entera en segundos.
            """),
        },
        "pricing": {
            "neg": lines("""
                demasiado caro para una cafetería pequeña
                subieron el precio otra vez sin avisar
                pagamos el plan pro y la mitad de las funciones son extras de pago
                el nuevo precio no compensa para un solo local
                los SMS se cobran aparte de la suscripción, un abuso
            """),
            "pos": lines("""
                muy buena relación calidad precio
                el plan básico tiene todo lo que necesita una cafetería pequeña
                más barato que nuestro TPV anterior y hace más
                el plan anual tiene un precio muy razonable
                vale cada euro que pagamos
            """),
            "neg+": lines("""
                La competencia ofrece lo mismo por la mitad.
                Pensamos cambiarnos cuando se renueve el plan.
                Un descuento para locales pequeños ayudaría.
            """),
            "pos+": lines("""
                Sin cargos ocultos hasta ahora.
                Se pagó solo en el primer mes.
            """),
        },
        "offline": {
            "neg": lines("""
                el modo sin conexión pierde pedidos cuando vuelve internet
                la app deja de cobrar en cuanto se cae el wifi
                los tickets hechos sin conexión tardan horas en sincronizar
                se cayó internet {when} y nos quedamos parados
                el stock queda mal después de cada corte de conexión
            """),
            "pos": lines("""
                el modo sin conexión nos dejó cobrar durante dos horas sin internet
                funciona aunque se caiga el wifi
                todo se sincronizó perfecto cuando volvió internet
                ya no nos preocupan los cortes de red
            """),
            "neg+": lines("""
                En nuestra zona se va la luz y la red a menudo.
                Tuvimos que cobrar solo en efectivo {when}.
                Algunos tickets salieron duplicados al sincronizar.
            """),
            "pos+": lines("""
                Nuestro internet es malo, así que esto nos salva.
                No se perdió nada al sincronizar.
            """),
        },
        "reports": {
            "neg": lines("""
                los informes de ventas no cuadran con la liquidación del banco
                el informe diario muestra totales equivocados
                exportar los informes a Excel es un suplicio
                no hay informe de ventas por producto y por local
                el cierre de caja tarda muchísimo en cargar
            """),
            "pos": lines("""
                el informe de ventas diario es lo primero que miro cada mañana
                me encantan los informes de ventas por producto
                veo los informes de todos los locales en un solo panel
                el resumen de cierre por WhatsApp es muy útil
                exportar a Excel le viene genial a mi gestor
            """),
            "neg+": lines("""
                Sigo llevando una libreta aparte para cuadrar.
                La caja no cuadra por {small} euros cada día.
            """),
            "pos+": lines("""
                Ahora sé exactamente qué productos se venden más.
                Me ahorra una hora de cuentas cada noche.
            """),
        },
        "payments": {
            "neg": lines("""
                los pagos con tarjeta fallaron {when}
                la tarjeta sale rechazada y aun así se cobra
                la liquidación de las tarjetas llega con {days} de retraso
                el QR de pago del ticket no muestra el importe
                el cliente pagó con Bizum pero aparece como pendiente
            """),
            "pos": lines("""
                los pagos con tarjeta y Bizum funcionan sin fallos
                el QR de pago en el ticket es genial
                las liquidaciones llegan puntuales cada día
                la confirmación del pago aparece al instante en pantalla
                el datáfono funciona perfecto con la app
            """),
            "neg+": lines("""
                A los clientes se les cobró y {days} después siguen esperando el reembolso.
                Perdimos clientes {when}.
                Tuvimos que pedir efectivo.
            """),
            "pos+": lines("""
                Ya no miro el móvil para confirmar cada pago.
                La conciliación es automática.
            """),
        },
        "qr_ordering": {
            "neg": lines("""
                la carta QR no carga en algunos móviles
                los pedidos de mesa por QR no llegan a cocina
                el pedido por QR muestra productos agotados
                los clientes escanean el QR de la mesa y sale un error
                los cambios de la carta tardan siglos en salir en el QR
            """),
            "pos": lines("""
                a los clientes les encanta pedir desde la mesa con la carta QR
                el pedido por QR redujo la espera a la mitad
                los pedidos de mesa van directos a cocina
                la carta QR con fotos queda preciosa
                los clientes piden y pagan desde la mesa sin esperar
            """),
            "neg+": lines("""
                Al final los camareros toman nota a mano.
                Los clientes se enfadaron y se fueron {when}.
            """),
            "pos+": lines("""
                Los fines de semana necesitamos un camarero menos.
                El ticket medio subió porque ven las fotos.
            """),
        },
        "onboarding": {
            "neg": lines("""
                la puesta en marcha tardó {days} y nadie ayudó
                nos cambiaron la llamada de alta {n} veces
                la formación del personal es confusa, demasiadas pantallas
                cargar la carta fue eterno, la importación fallaba
                el personal nuevo no aprende fácil la pantalla de cobro
            """),
            "pos": lines("""
                la configuración tardó {mins} minutos y cobramos ese mismo día
                el equipo de alta nos ayudó a importar toda la carta
                el personal nuevo lo aprende en un turno
                los vídeos de formación en español ayudaron mucho al equipo
                abrir el segundo local fue facilísimo
            """),
            "neg+": lines("""
                Tenemos mucha rotación de personal, así que esto importa.
                Los vídeos de formación solo están en inglés.
            """),
            "pos+": lines("""
                Hasta los de media jornada lo aprendieron rápido.
                La guía paso a paso era muy clara.
            """),
        },
    },
}

LANGUAGES["ar"] = {
    "stop": ". ",
    "but": ("، لكن ", "، ولكن ", ". فقط ملاحظة واحدة: ", "، مع أن "),
    "when": lines("""
        وقت زحمة الغداء
        يوم السبت المزدحم
        صباح اليوم
        مساء أمس
        في وسط الخدمة
        في أيام العيد
        مرتين هذا الأسبوع
        مع بداية الدوام
        وقت زحمة المساء
        يوم الجمعة الماضي
    """),
    "n": ("مرتين", "ثلاث مرات", "أربع مرات", "عدة مرات"),
    "days": ("يومين", "أسبوع", "عشرة أيام", "ثلاثة أسابيع", "شهر"),
    "open": {
        "detractor": lines("""
            خيبة أمل كبيرة.
            لسنا راضين أبدًا.
            شهر محبط جدًا.
            تعبنا من هذا.
            آسف، لكن هذا غير مقبول.
            هذه ثالث شكوى هذا الشهر.
        """),
        "passive": lines("""
            لا بأس.
            مقبول.
            جيد في الغالب.
            ليس سيئًا.
            يؤدي الغرض.
        """),
        "promoter": lines("""
            رائع!
            منتج ممتاز.
            نحن سعداء جدًا.
            تطبيق ممتاز.
            أفضل نظام نقاط بيع استخدمناه.
        """),
    },
    "close": {
        "detractor": lines("""
            أرجو الإصلاح بسرعة.
            نفكر في التغيير.
            إذا لم يُحل سنلغي الاشتراك.
            لا أنصح به.
            أرجو الاتصال بي.
        """),
        "passive": lines("""
            أصلحوا هذا ويصبح 10.
            غير ذلك كل شيء جيد.
            أتمنى أن يتحسن.
            سنرى.
        """),
        "promoter": lines("""
            استمروا!
            نصحت به صديقين.
            شكرًا للفريق!
            أنصح به بشدة.
            يستحق كل ريال.
        """),
    },
    "ok": lines("""
        بشكل عام جيد
        التطبيق جميل
        يعمل جيدًا في أغلب الأوقات
        منتج جيد
        لا توجد شكاوى كبيرة
        يكفي احتياجاتنا
        الموظفون يحبونه
    """),
    "meh": lines("""
        توجد مشاكل صغيرة أحيانًا
        يمكن أن يكون أفضل
        فيه بعض الأخطاء
        لا شيء مميز غير ذلك
        بعض الأمور تحتاج تحسين
        هناك أمران يزعجاننا
    """),
    "themes": {
        "printer": {
            "neg": lines("""
                طابعة الإيصالات تنفصل {when}
                الطابعة توقفت عن طباعة طلبات المطبخ {when}
                الفواتير تطلع نصفها فارغ والطابعة تعلق
                بعد آخر تحديث الطابعة لا تعمل
                طابعة المطبخ تطبع كل طلب {n}
                الطابعة بالبلوتوث لا تتصل كل صباح
            """),
            "pos": lines("""
                الطابعة الحرارية تعمل بشكل ممتاز مع التطبيق
                الإيصالات تطبع فورًا حتى {when}
                طلبات المطبخ تطلع دائمًا على الطابعة الصحيحة
                تركيب الطابعة كان سهلًا جدًا
                الطابعة بالبلوتوث لم تنفصل ولا مرة
            """),
            "neg+": lines("""
                اضطررنا لكتابة الفواتير باليد.
                الزبائن ينتظرون ونحن نعيد تشغيل الطابعة {n}.
                الدعم يقول المشكلة في الطابعة.
                اشترينا نفس الطابعة التي نصحتم بها.
            """),
            "pos+": lines("""
                حتى طابعة المطبخ تعمل بدون مشاكل.
                النظام القديم لم يكن يفعل هذا.
            """),
        },
        "billing": {
            "neg": lines("""
                ضريبة القيمة المضافة في الفاتورة محسوبة خطأ
                الفاتورة الضريبية لا تظهر فيها الرقم الضريبي
                خصمتم المبلغ مرتين هذا الشهر والاسترداد لم يصل بعد
                الفاتورة الإلكترونية ترفض كل يوم
                ما زلتم تحاسبونني على فرع أغلقته قبل {days}
            """),
            "pos": lines("""
                الفواتير الضريبية صحيحة في كل مرة
                المحاسب عندنا يحب تقارير الضريبة
                الفاتورة الإلكترونية اشتغلت بدون أي مساعدة
                الفاتورة بشعارنا ورقمنا الضريبي تبدو احترافية جدًا
                الفوترة واضحة ولم يتم خصم أي مبلغ زائد
            """),
            "neg+": lines("""
                المحاسب اضطر لتصحيح الإقرارات الضريبية.
                ما زلت أنتظر استرداد المبلغ منذ {days}.
                اشتكيت {n} بالفعل.
            """),
            "pos+": lines("""
                الإقرار الضريبي يأخذ ساعة فقط الآن.
                خصم مكرر تم استرداد المبلغ خلال يوم واحد.
            """),
        },
        "support": {
            "neg": lines("""
                الدعم لا يعاود الاتصال أبدًا
                فريق الدعم أغلق التذكرة بدون حل
                انتظرت {days} حتى يرد الدعم
                روبوت المحادثة يرسل مقالات فقط ولا يرد أي شخص
                {when} لا أحد يرد على رقم الدعم
            """),
            "pos": lines("""
                الدعم رد {when} وحل المشكلة في دقائق
                فريق الدعم لطيف ويعرف المنتج جيدًا
                الدعم اتصل بي خلال عشر دقائق
                مدير الحساب متعاون جدًا
                الدعم رد على الواتساب حتى يوم الجمعة
            """),
            "neg+": lines("""
                فتحت عدة تذاكر لنفس المشكلة.
                الردود متأخرة ولا أحد يقرأ الرسائل السابقة.
                في كل مرة أشرح كل شيء من جديد.
            """),
            "pos+": lines("""
                بقوا معي على الهاتف حتى طبعت أول فاتورة.
                خدمة نادرة بصراحة.
            """),
        },
        "speed": {
            "neg": lines("""
                التطبيق بطيء جدًا {when}
                تطبيق نقاط البيع يتعطل {n} في اليوم
                شاشة البيع تتجمد عندما نضيف الأصناف بسرعة
                التطبيق يعلق على الجهاز اللوحي ونضطر لإعادة تشغيله
                كل تحديث يجعل التطبيق أبطأ
                يسجل خروجنا {when} بدون سبب
            """),
            "pos": lines("""
                التطبيق سريع حتى على الجهاز اللوحي القديم
                البيع سريع بدون أي تأخير
                التطبيق لم يتعطل معنا أبدًا
                النسخة الجديدة تفتح في ثانية
                سريع حتى مع {items} صنف في القائمة
            """),
            "neg+": lines("""
                الزبائن يقفون في الطابور وهو يحمّل.
                إعادة تشغيل الجهاز صارت جزءًا من يومنا.
                خسرنا طلبات {when} بسببه.
            """),
            "pos+": lines("""
                الطابور يتحرك أسرع بكثير الآن.
                الموظفون يصدرون فاتورة طاولة كاملة في ثوان.
            """),
        },
        "pricing": {
            "neg": lines("""
                غالٍ جدًا على مقهى صغير
                رفعتم السعر مرة أخرى بدون إشعار
                ندفع الباقة الاحترافية ونصف المزايا إضافات مدفوعة
                الأسعار الجديدة لا تستحق لفرع واحد
                رسوم الرسائل فوق الاشتراك مبالغ فيها
            """),
            "pos": lines("""
                قيمة ممتازة مقابل السعر
                الباقة الأساسية فيها كل ما يحتاجه مقهى صغير
                أرخص من نظامنا القديم ويقدم أكثر
                سعر الباقة السنوية معقول جدًا
                يستحق كل ريال ندفعه
            """),
            "neg+": lines("""
                المنافسون يقدمون نفس الشيء بنصف السعر.
                نفكر في التغيير عند تجديد الباقة.
                خصم للمحلات الصغيرة سيساعد.
            """),
            "pos+": lines("""
                لا توجد رسوم مخفية حتى الآن.
                غطى تكلفته في أول شهر.
            """),
        },
        "offline": {
            "neg": lines("""
                وضع عدم الاتصال يضيع الطلبات عند عودة الإنترنت
                التطبيق يتوقف عن البيع بمجرد انقطاع الواي فاي
                الفواتير بدون اتصال لا تتزامن لساعات
                كل مرة ينقطع الإنترنت {when} نتوقف تمامًا
                المخزون يصبح خطأ بعد كل انقطاع
            """),
            "pos": lines("""
                وضع عدم الاتصال خلانا نبيع ساعتين بدون إنترنت
                يعمل حتى عندما ينقطع الواي فاي
                كل شيء تزامن بشكل صحيح عند عودة الإنترنت
                لم نعد نقلق من مشاكل الشبكة
            """),
            "neg+": lines("""
                الكهرباء والشبكة تنقطع كثيرًا في منطقتنا.
                اضطررنا لقبول الكاش فقط {when}.
                بعض الفواتير تكررت بعد المزامنة.
            """),
            "pos+": lines("""
                الإنترنت عندنا ضعيف، فهذا أنقذنا.
                لم يضع شيء بعد المزامنة.
            """),
        },
        "reports": {
            "neg": lines("""
                تقارير المبيعات لا تطابق تسوية البنك
                التقرير اليومي يعرض مجاميع خاطئة
                تصدير التقارير إلى إكسل متعب جدًا
                لا يوجد تقرير مبيعات حسب الصنف لكل فرع
                تقرير نهاية اليوم يأخذ وقتًا طويلًا ليفتح
            """),
            "pos": lines("""
                تقرير المبيعات اليومي أول شيء أقرأه كل صباح
                أحب تقارير المبيعات حسب الصنف
                أرى تقارير كل الفروع في لوحة واحدة
                ملخص نهاية اليوم على الواتساب مفيد جدًا
                التصدير إلى إكسل ممتاز للمحاسب
            """),
            "neg+": lines("""
                ما زلت أحتفظ بدفتر منفصل للمطابقة.
                الأرقام تختلف كل يوم بحوالي {amount} ريال.
            """),
            "pos+": lines("""
                الآن أعرف بالضبط أي الأصناف تبيع أكثر.
                يوفر علي ساعة من الحساب كل ليلة.
            """),
        },
        "payments": {
            "neg": lines("""
                الدفع بالبطاقة يفشل {when}
                البطاقة ترفض ومع ذلك يُخصم المبلغ
                تسوية مدفوعات البطاقات تتأخر {days}
                رمز الدفع QR في الفاتورة لا يظهر المبلغ
                الزبون دفع بمدى لكن العملية معلقة
            """),
            "pos": lines("""
                الدفع بمدى وأبل باي يعمل بدون مشاكل
                رمز الدفع في الفاتورة فكرة رائعة
                التسويات تصل في وقتها كل يوم
                تأكيد الدفع يظهر فورًا على الشاشة
                جهاز البطاقات مربوط بالتطبيق بشكل ممتاز
            """),
            "neg+": lines("""
                الزبائن خُصم منهم المبلغ وبعد {days} ما زالوا ينتظرون الاسترداد.
                خسرنا زبائن {when}.
                اضطررنا نطلب الدفع كاش.
            """),
            "pos+": lines("""
                لم أعد أتحقق من رسائل الدفع على الجوال.
                المطابقة تتم تلقائيًا الآن.
            """),
        },
        "qr_ordering": {
            "neg": lines("""
                قائمة QR لا تفتح على بعض الجوالات
                طلبات الطاولات من رمز QR لا تصل إلى المطبخ
                الطلب عبر QR يعرض أصنافًا نفدت
                الزبائن يمسحون رمز الطاولة وتظهر رسالة خطأ
                تعديلات القائمة تأخذ وقتًا طويلًا لتظهر في قائمة QR
            """),
            "pos": lines("""
                الزبائن يحبون الطلب من الطاولة عبر قائمة QR
                الطلب عبر QR قلل الانتظار إلى النصف
                طلبات الطاولات تذهب مباشرة إلى المطبخ
                قائمة QR بالصور شكلها جميل
                الزبائن يطلبون ويدفعون من الطاولة بدون انتظار
            """),
            "neg+": lines("""
                في النهاية النادل يكتب الطلبات باليد.
                الزبائن انزعجوا وغادروا {when}.
            """),
            "pos+": lines("""
                نحتاج نادلًا أقل في عطلة نهاية الأسبوع.
                متوسط الفاتورة ارتفع لأن الزبائن يرون الصور.
            """),
        },
        "onboarding": {
            "neg": lines("""
                التجهيز أخذ {days} ولم يساعدنا أحد
                مكالمة التفعيل تأجلت {n}
                تدريب الموظفين مربك والشاشات كثيرة
                إدخال القائمة أخذ وقتًا طويلًا والاستيراد يفشل
                الموظفون الجدد لا يتعلمون شاشة البيع بسهولة
            """),
            "pos": lines("""
                التجهيز أخذ عشر دقائق وبدأنا البيع في نفس اليوم
                فريق التفعيل ساعدنا في استيراد القائمة كاملة
                الموظف الجديد يتعلمه في وردية واحدة
                فيديوهات التدريب بالعربي ساعدت الموظفين كثيرًا
                تجهيز الفرع الثاني كان سهلًا جدًا
            """),
            "neg+": lines("""
                الموظفون عندنا يتغيرون كثيرًا، لذلك هذا مهم.
                فيديوهات التدريب بالإنجليزية فقط.
            """),
            "pos+": lines("""
                حتى الموظفون بدوام جزئي تعلموه بسرعة.
                دليل التجهيز خطوة بخطوة كان واضحًا جدًا.
            """),
        },
    },
}

LATIN = frozenset({"en", "es", "hi-Latn"})
# How often a Latin-script comment comes informal (lower case, no full stop, shorthand), and the shorthand.
INFORMAL = {"en": 0.15, "es": 0.12, "hi-Latn": 0.3}
SHORTHAND = {
    "en": {"you": "u", "please": "pls", "really": "rly", "because": "coz", "thanks": "thx", "okay": "ok"},
    "es": {"que": "q", "por favor": "porfa", "también": "tb", "muy": "mui", "porque": "xq"},
    "hi-Latn": {"nahi": "nhi", "bahut": "bohot", "hai": "h", "accha": "acha", "mein": "me"},
}
_SHORTHAND_RE = {
    language: re.compile(r"\b(" + "|".join(re.escape(word) for word in words) + r")\b")
    for language, words in SHORTHAND.items()
}
SEPARATORS = (", ", " ", "... ", ".. ", "! ")
DANDA = frozenset({"hi", "bn"})
EMOJI = {
    "detractor": ("😡", "😤", "👎", "🙏", "😞", "🤦"),
    "passive": ("🙂", "🤷", "👍", "😐"),
    "promoter": ("👍", "🙏", "😊", "❤️", "🔥", "👌", "💯"),
}
_KEYS = tuple(THEMES)
_THEME_CUM = {group: tuple(accumulate(THEME_WEIGHTS[group])) for group in GROUPS}
_MAX_WORDS = 40


def comment(rng: random.Random, *, language: str, group: str) -> tuple[str, str]:
    """A comment for an answer in `group` ("detractor", "passive", "promoter") to an invitation in
    `language`, and its theme's key (THEMES). Hindi comes as Hinglish about a third of the time; a language
    without fragments falls back to English."""
    if language == "hi" and rng.random() < HINGLISH_SHARE:
        language = "hi-Latn"
    elif language not in LANGUAGES:
        language = language.split("-")[0]
        if language not in LANGUAGES:
            language = "en"
    return compose(rng, language, group)


def corpus(n: int, *, seed: int = 0) -> Iterator[tuple[str, str, str, int]]:
    """`n` comments in a realistic mix of languages and groups (CORPUS_LANGUAGES, CORPUS_GROUPS), as
    (text, language group, theme key, score): for the themes benchmark."""
    rng = random.Random(seed)
    random_ = rng.random
    languages, language_cum = tuple(CORPUS_LANGUAGES), tuple(accumulate(CORPUS_LANGUAGES.values()))
    groups, group_cum = tuple(CORPUS_GROUPS), tuple(accumulate(CORPUS_GROUPS.values()))
    detractor_cum = tuple(accumulate(DETRACTOR_WEIGHTS))
    for _ in range(n):
        language = languages[bisect(language_cum, random_() * language_cum[-1])]
        group = groups[bisect(group_cum, random_() * group_cum[-1])]
        text, key = compose(rng, language, group)
        if group == "detractor":
            score = DETRACTOR_SCORES[bisect(detractor_cum, random_() * detractor_cum[-1])]
        elif group == "passive":
            score = 8 if random_() < 0.55 else 7
        else:
            score = 10 if random_() < 0.45 else 9
        yield text, language, key, score


def compose(rng: random.Random, language: str, group: str) -> tuple[str, str]:
    """One comment of a language group with fragments (LANGUAGES), and its theme's key."""
    fragments = LANGUAGES[language]
    random_ = rng.random
    cum = _THEME_CUM[group]
    key = _KEYS[bisect(cum, random_() * cum[-1])]
    theme = fragments["themes"][key]
    end = fragments["stop"].rstrip()
    if group == "passive":
        if random_() < 0.6:  # fine, but a complaint
            but = pick(random_, fragments["but"])
            core, details = pick(random_, fragments["ok"]) + but + pick(random_, theme["neg"]), theme["neg+"]
        else:  # praise, with a plain "but" and a shrug
            but = fragments["but"][0]
            core, details = pick(random_, theme["pos"]) + but + pick(random_, fragments["meh"]), theme["pos+"]
        said, chances = (), (0.3, 0.3, 0.0, 0.45)  # opener, detail, second, closer
    else:
        said = theme["neg" if group == "detractor" else "pos"]
        core = pick(random_, said)
        details = theme["neg+" if group == "detractor" else "pos+"]
        chances = (0.5, 0.55, 0.25, 0.5) if group == "detractor" else (0.55, 0.45, 0.2, 0.5)
        if random_() < 0.06:  # short and to the point
            chances = (0.0, 0.0, 0.0, 0.0)
    opener = pick(random_, fragments["open"][group]) if random_() < chances[0] else ""
    detail = pick(random_, details) if random_() < chances[1] else ""
    second = pick(random_, said) if random_() < chances[2] else ""
    second = sentence(second, end) if second and second != core else ""
    closer = pick(random_, fragments["close"][group]) if random_() < chances[3] else ""
    text = " ".join(part for part in (opener, sentence(core, end), second, detail, closer) if part)
    if "{" in text:
        fills = {
            "when": pick(random_, fragments["when"]),
            "n": pick(random_, fragments["n"]),
            "days": pick(random_, fragments["days"]),
            "mins": str(3 + int(random_() * 28)),
            "items": str(10 * (10 + int(random_() * 40))),
            "amount": str(50 * (2 + int(random_() * 38))),
            "small": str(3 + int(random_() * 57)),
        }
        text = text.format_map(fills)
    if len(text.split()) > _MAX_WORDS - 1:  # room for an emoji
        text = " ".join(part for part in (sentence(core, end), detail or second) if part)
        text = text.format_map(fills) if "{" in text else text
    return informal(random_, text, language, group), key


def pick(random_, items):
    return items[int(random_() * len(items))]


def sentence(clause: str, end: str) -> str:
    return clause[:1].upper() + clause[1:] + end


def informal(random_, text: str, language: str, group: str) -> str:
    """As people type on a phone: sometimes lower case without the last full stop, shorthand, a slipped
    letter; a full stop for the danda; an emoji or an exclamation mark now and then."""
    roll = random_()
    if language in LATIN:
        if roll < INFORMAL[language]:
            text = text.lower().rstrip(".")
            if random_() < 0.5:
                text = text.replace(". ", pick(random_, SEPARATORS))
            if random_() < 0.5:
                words = SHORTHAND[language]
                text = _SHORTHAND_RE[language].sub(lambda match: words[match.group(1)], text)
        if random_() < 0.1:
            text = slip(random_, text)
    elif roll < 0.2:
        text = text.rstrip(".।")
    elif language in DANDA and roll < 0.45:
        text = text.replace("।", ".")
    roll = random_()
    if roll < 0.12:
        text = text.rstrip(".।") + " " + pick(random_, EMOJI[group])
    elif group == "promoter" and roll < 0.25:
        text = text.rstrip(".।") + ("!!" if roll < 0.17 else "!")
    return text


def slip(random_, text: str) -> str:
    """Two neighbouring letters of one longer word swapped: "recieve", "pirnter"."""
    words = text.split(" ")
    long = [i for i, word in enumerate(words) if len(word) > 4 and word.isalpha()]
    if not long:
        return text
    i = pick(random_, long)
    word = words[i]
    at = 2 + int(random_() * (len(word) - 3))  # never the first letter
    words[i] = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    return " ".join(words)
