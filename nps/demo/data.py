"""Word lists for the demo workspace: names by culture and customer comments by language and group.

The brand is Chaiwala Cloud, a point-of-sale and ordering service for cafés and tea shops, so the comments
talk about billing, UPI and card payments, the POS app, printers, inventory, reports, support and pricing.
Names are (latin, native script) pairs where the culture writes names in another script; latin spellings
build the email addresses.
"""

# Indian names by the language their speakers write in; English speakers come from everywhere in India.
INDIAN = {
    "hi": (
        [
            "Aarav",
            "Vivaan",
            "Aditya",
            "Rohan",
            "Rahul",
            "Anil",
            "Manoj",
            "Sanjay",
            "Nikhil",
            "Abhishek",
            "Saanvi",
            "Diya",
            "Priya",
            "Pooja",
            "Neha",
            "Shreya",
            "Anjali",
            "Sunita",
            "Kavya",
            "Riya",
        ],
        [
            "Sharma",
            "Verma",
            "Gupta",
            "Singh",
            "Mishra",
            "Pandey",
            "Yadav",
            "Agarwal",
            "Khanna",
            "Malhotra",
            "Chopra",
            "Joshi",
            "Kaur",
            "Mehta",
        ],
    ),
    "ta": (
        [
            "Karthik",
            "Arjun",
            "Vikram",
            "Suresh",
            "Harish",
            "Senthil",
            "Prakash",
            "Ganesh",
            "Lakshmi",
            "Revathi",
            "Deepa",
            "Divya",
            "Meenakshi",
            "Kavitha",
            "Priya",
            "Anitha",
        ],
        [
            "Iyer",
            "Krishnan",
            "Subramanian",
            "Venkatesan",
            "Pillai",
            "Natarajan",
            "Murugan",
            "Rajan",
            "Sundaram",
            "Ramasamy",
        ],
    ),
    "bn": (
        [
            "Arnab",
            "Sourav",
            "Rahul",
            "Abhishek",
            "Subhajit",
            "Ishaan",
            "Moumita",
            "Riya",
            "Ananya",
            "Sneha",
            "Nandini",
            "Paromita",
            "Rupa",
            "Tanushree",
        ],
        ["Chatterjee", "Banerjee", "Mukherjee", "Das", "Bose", "Ghosh", "Sen", "Roy", "Dutta", "Sarkar"],
    ),
    "en": (
        [
            "Aditya",
            "Ishaan",
            "Pranav",
            "Siddharth",
            "Karthik",
            "Arjun",
            "Rohan",
            "Aishwarya",
            "Ananya",
            "Meera",
            "Nandini",
            "Shreya",
            "Divya",
            "Kavya",
            "Priya",
            "Nikhil",
        ],
        [
            "Sharma",
            "Iyer",
            "Nair",
            "Reddy",
            "Patel",
            "Shah",
            "Mehta",
            "Rao",
            "Menon",
            "Kulkarni",
            "Deshpande",
            "Naidu",
            "Banerjee",
            "Krishnan",
            "Singh",
            "Chopra",
        ],
    ),
}

# Per country: language, first names, last names, time zones, phone prefix and digits after it.
EUROPEAN = {
    "de": (
        ["Lukas", "Jonas", "Felix", "Maximilian", "Paul", "Anna", "Lena", "Sophie", "Marie", "Katharina"],
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"],
        ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"],
        ("+49151", 8),
    ),
    "fr": (
        ["Louis", "Gabriel", "Hugo", "Arthur", "Jules", "Camille", "Léa", "Chloé", "Manon", "Inès"],
        ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau"],
        ["Europe/Paris", "Europe/Brussels"],
        ("+3361", 7),
    ),
    "es": (
        ["Hugo", "Mateo", "Pablo", "Álvaro", "Daniel", "Lucía", "Sofía", "María", "Paula", "Carmen"],
        ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez"],
        ["Europe/Madrid"],
        ("+346", 8),
    ),
    "pt": (
        ["João", "Rodrigo", "Tiago", "Duarte", "Afonso", "Beatriz", "Inês", "Mariana", "Leonor", "Ana"],
        ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins"],
        ["Europe/Lisbon"],
        ("+35191", 7),
    ),
    "en": (
        ["Oliver", "George", "Harry", "James", "Noah", "Amelia", "Olivia", "Isla", "Emily", "Grace"],
        ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Walsh", "Murphy"],
        ["Europe/London", "Europe/Dublin"],
        ("+447400", 6),
    ),
}

LATAM = {
    "es": (
        ["Santiago", "Sebastián", "Matías", "Diego", "Nicolás", "Valentina", "Camila", "Isabella", "Ximena"],
        ["Hernández", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Vargas"],
        ["America/Mexico_City", "America/Bogota", "America/Lima", "America/Argentina/Buenos_Aires"],
        ("+5255", 8),
    ),
    "pt": (
        ["Miguel", "Arthur", "Heitor", "Bernardo", "Davi", "Helena", "Alice", "Laura", "Manuela", "Júlia"],
        ["Souza", "Lima", "Alves", "Ribeiro", "Carvalho", "Gomes", "Barbosa", "Araújo", "Cardoso"],
        ["America/Sao_Paulo", "America/Recife"],
        ("+55119", 8),
    ),
}

NORTH_AMERICAN_FIRST = [
    "Ethan",
    "Liam",
    "Mason",
    "Logan",
    "Ava",
    "Emma",
    "Madison",
    "Chloe",
    "Hannah",
    "Tyler",
]
NORTH_AMERICAN_LAST = ["Johnson", "Miller", "Davis", "Anderson", "Clark", "Lewis", "Walker", "Young", "King"]
NORTH_AMERICAN_TZ = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
]

ARABIC_FIRST = [
    ("Mohammed", "محمد"),
    ("Ahmed", "أحمد"),
    ("Omar", "عمر"),
    ("Khalid", "خالد"),
    ("Youssef", "يوسف"),
    ("Hassan", "حسن"),
    ("Tariq", "طارق"),
    ("Fatima", "فاطمة"),
    ("Aisha", "عائشة"),
    ("Mariam", "مريم"),
    ("Layla", "ليلى"),
    ("Noura", "نورة"),
    ("Huda", "هدى"),
    ("Salma", "سلمى"),
]
ARABIC_LAST = [
    ("Al-Harbi", "الحربي"),
    ("Al-Mansouri", "المنصوري"),
    ("Al-Qahtani", "القحطاني"),
    ("Haddad", "حداد"),
    ("Nasser", "ناصر"),
    ("Saleh", "صالح"),
    ("Khoury", "خوري"),
    ("Abdullah", "عبدالله"),
    ("Farouk", "فاروق"),
]
MENA_TZ_PHONE = [
    ("Asia/Dubai", ("+97150", 7)),
    ("Asia/Riyadh", ("+96650", 7)),
    ("Africa/Cairo", ("+2010", 8)),
]

JAPANESE_FIRST = [
    ("Haruto", "陽翔"),
    ("Ren", "蓮"),
    ("Sota", "蒼太"),
    ("Takumi", "拓海"),
    ("Kenji", "健二"),
    ("Hiroshi", "浩"),
    ("Yui", "結衣"),
    ("Aoi", "葵"),
    ("Sakura", "さくら"),
    ("Yuki", "由紀"),
    ("Mio", "美緒"),
]
JAPANESE_LAST = [
    ("Sato", "佐藤"),
    ("Suzuki", "鈴木"),
    ("Takahashi", "高橋"),
    ("Tanaka", "田中"),
    ("Watanabe", "渡辺"),
    ("Ito", "伊藤"),
    ("Yamamoto", "山本"),
    ("Nakamura", "中村"),
    ("Kobayashi", "小林"),
]
CHINESE_FIRST = [
    ("Wei", "伟"),
    ("Fang", "芳"),
    ("Min", "敏"),
    ("Jing", "静"),
    ("Lei", "磊"),
    ("Yang", "洋"),
    ("Jie", "杰"),
    ("Xiuying", "秀英"),
    ("Hao", "浩"),
    ("Ting", "婷"),
    ("Jun", "军"),
    ("Na", "娜"),
]
CHINESE_LAST = [
    ("Wang", "王"),
    ("Li", "李"),
    ("Zhang", "张"),
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Yang", "杨"),
    ("Huang", "黄"),
    ("Zhao", "赵"),
    ("Zhou", "周"),
    ("Wu", "吴"),
]

EMAIL_DOMAINS = [
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "proton.me",
    "icloud.com",
    "example.com",
    "example.org",
    "example.net",
]

# Customer comments by language, then by group. Written as customers write: short, specific, sometimes blunt.
COMMENTS = {
    "en": {
        "promoter": [
            "Setup took ten minutes and our first bill printed right away.",
            "UPI and card payments just work, even on our busiest mornings.",
            "Support picked up on a Sunday and fixed our printer in minutes.",
            "The daily sales report is the first thing I read every morning.",
            "We run three outlets from one dashboard now. Huge time saver.",
            "Inventory alerts saved us from running out of milk twice this month.",
            "Cheaper than our old POS and far easier for new staff.",
            "The offline mode kept us billing through a two-hour internet outage.",
            "Love the QR menu, customers order from the table without waiting.",
            "Everything is fast and the app never crashes. Recommended it to two friends.",
            "GST invoices are correct every time, my accountant is happy.",
            "Great product, and the team actually listens to feature requests.",
        ],
        "passive": [
            "Works well, but the reports could be easier to export to Excel.",
            "Good overall. The app feels slow on our older Android tablet.",
            "Decent value, though the pro plan is a stretch for a single shop.",
            "Fine for billing, I wish the loyalty points were more flexible.",
            "Support is helpful but replies can take a day.",
            "Mostly happy. The printer setup was confusing the first time.",
            "It does the job. Menu editing on the phone is fiddly.",
            "Solid, but I would like split bills by item, not only by amount.",
            "Okay for now; we may need better multi-outlet stock transfers.",
            "Nothing wrong, nothing special. Pricing went up this year.",
        ],
        "detractor": [
            "Payments failed twice during lunch rush and we lost customers.",
            "Support kept closing my ticket without fixing the sync issue.",
            "Too expensive after the price increase for what we get.",
            "The app logs us out every few days and staff forget the password.",
            "Reports show different totals than the bank settlement.",
            "The update broke our receipt printer and it took a week to fix.",
            "Stock counts are wrong after every offline period.",
            "Billing me for an outlet I closed three months ago.",
            "Slow, crashes often on the tablet, and no one calls back.",
            "Missing basic features like table transfer that competitors have.",
        ],
    },
    "hi": {
        "promoter": [
            "बहुत आसान है, पहले ही दिन से बिलिंग शुरू हो गई।",
            "UPI पेमेंट बिना किसी दिक्कत के चलता है, ग्राहक खुश हैं।",
            "सपोर्ट टीम ने रविवार को भी तुरंत मदद की।",
            "रोज़ की सेल्स रिपोर्ट बहुत काम की है।",
            "तीनों दुकानें एक ही ऐप से चलाते हैं, समय बचता है।",
        ],
        "passive": [
            "ठीक है, लेकिन रिपोर्ट Excel में निकालना मुश्किल है।",
            "पुराने टैबलेट पर ऐप थोड़ा धीमा चलता है।",
            "कीमत थोड़ी ज़्यादा है, बाकी सब ठीक है।",
            "प्रिंटर सेट करने में पहली बार परेशानी हुई।",
        ],
        "detractor": [
            "दोपहर की भीड़ में पेमेंट दो बार फेल हुआ।",
            "सपोर्ट वाले जवाब नहीं देते, टिकट बंद कर देते हैं।",
            "दाम बढ़ने के बाद यह बहुत महँगा हो गया है।",
            "अपडेट के बाद प्रिंटर चलना बंद हो गया।",
        ],
    },
    "ta": {
        "promoter": [
            "பயன்படுத்த மிகவும் எளிது, முதல் நாளே பில் போட ஆரம்பித்தோம்.",
            "UPI பணம் செலுத்துதல் சரியாக வேலை செய்கிறது.",
            "சப்போர்ட் குழு உடனே உதவியது, மிக்க நன்றி.",
            "தினசரி விற்பனை அறிக்கை மிகவும் பயனுள்ளது.",
        ],
        "passive": [
            "நன்றாக இருக்கிறது, ஆனால் அறிக்கைகளை ஏற்றுமதி செய்வது கடினம்.",
            "பழைய டேப்லெட்டில் ஆப் கொஞ்சம் மெதுவாக உள்ளது.",
            "விலை கொஞ்சம் அதிகம்.",
        ],
        "detractor": [
            "மதிய நேர கூட்டத்தில் பணம் செலுத்துதல் தோல்வியடைந்தது.",
            "சப்போர்ட் பதில் சொல்லவே இல்லை.",
            "அப்டேட்டுக்குப் பிறகு பிரிண்டர் வேலை செய்யவில்லை.",
        ],
    },
    "bn": {
        "promoter": [
            "খুব সহজ, প্রথম দিন থেকেই বিল করা শুরু করেছি।",
            "UPI পেমেন্ট কোনো সমস্যা ছাড়াই চলে।",
            "সাপোর্ট টিম খুব তাড়াতাড়ি সাহায্য করেছে।",
        ],
        "passive": [
            "ভালো, কিন্তু রিপোর্ট এক্সেলে নেওয়া কঠিন।",
            "পুরনো ট্যাবলেটে অ্যাপটা একটু ধীর।",
            "দাম একটু বেশি।",
        ],
        "detractor": [
            "ভিড়ের সময় পেমেন্ট দুবার ব্যর্থ হয়েছে।",
            "সাপোর্ট থেকে কেউ উত্তর দেয় না।",
            "আপডেটের পর প্রিন্টার কাজ করছে না।",
        ],
    },
    "es": {
        "promoter": [
            "La configuración fue rapidísima y el soporte es excelente.",
            "Los pagos con tarjeta funcionan sin fallos, incluso en hora punta.",
            "El informe diario de ventas me ahorra mucho tiempo.",
            "Gestionamos dos cafeterías desde el mismo panel. ¡Genial!",
            "El menú con QR encanta a nuestros clientes.",
        ],
        "passive": [
            "Funciona bien, pero exportar informes es complicado.",
            "Buen producto, aunque el plan pro es caro para un solo local.",
            "La app va un poco lenta en nuestra tablet antigua.",
            "El soporte ayuda, pero tarda en responder.",
        ],
        "detractor": [
            "Los pagos fallaron dos veces a la hora de comer.",
            "Soporte cerró mi incidencia sin resolverla.",
            "Demasiado caro después de la subida de precio.",
            "Tras la actualización la impresora dejó de funcionar.",
        ],
    },
    "pt": {
        "promoter": [
            "Configuração rápida e o suporte é excelente.",
            "Os pagamentos por cartão funcionam sem falhas, mesmo no horário de pico.",
            "O relatório diário de vendas é muito útil.",
            "Cardápio com QR code facilitou muito o atendimento.",
        ],
        "passive": [
            "Funciona bem, mas exportar relatórios é difícil.",
            "Bom, mas o plano pro é caro para uma loja só.",
            "O app fica lento no nosso tablet antigo.",
        ],
        "detractor": [
            "Os pagamentos falharam duas vezes no almoço.",
            "O suporte fechou meu chamado sem resolver.",
            "Depois da atualização a impressora parou de funcionar.",
            "Ficou caro demais depois do reajuste.",
        ],
    },
    "fr": {
        "promoter": [
            "Installation rapide et un support vraiment réactif.",
            "Les paiements par carte fonctionnent parfaitement, même en plein rush.",
            "Le rapport des ventes du jour est très pratique.",
            "Nous gérons nos deux salons de thé depuis un seul tableau de bord.",
        ],
        "passive": [
            "Ça marche bien, mais l'export des rapports est pénible.",
            "Correct, mais l'offre pro est chère pour une seule boutique.",
            "L'application est un peu lente sur notre vieille tablette.",
        ],
        "detractor": [
            "Les paiements ont échoué deux fois pendant le service du midi.",
            "Le support a fermé mon ticket sans rien résoudre.",
            "Trop cher depuis la hausse des tarifs.",
            "Depuis la mise à jour, l'imprimante ne fonctionne plus.",
        ],
    },
    "de": {
        "promoter": [
            "Einrichtung in zehn Minuten, der Support ist super.",
            "Kartenzahlung läuft zuverlässig, auch zur Mittagszeit.",
            "Der tägliche Umsatzbericht spart mir viel Zeit.",
            "Wir verwalten zwei Filialen in einem Dashboard. Top!",
        ],
        "passive": [
            "Funktioniert gut, aber der Export der Berichte ist umständlich.",
            "Ordentlich, aber der Pro-Tarif ist für einen Laden zu teuer.",
            "Die App ist auf unserem alten Tablet etwas langsam.",
        ],
        "detractor": [
            "Zahlungen sind zweimal in der Mittagszeit fehlgeschlagen.",
            "Der Support hat mein Ticket geschlossen, ohne das Problem zu lösen.",
            "Nach der Preiserhöhung viel zu teuer.",
            "Seit dem Update funktioniert der Bondrucker nicht mehr.",
        ],
    },
    "ar": {
        "promoter": [
            "الإعداد كان سريعًا جدًا والدعم ممتاز.",
            "الدفع بالبطاقة يعمل دائمًا حتى في أوقات الذروة.",
            "تقرير المبيعات اليومي مفيد جدًا.",
            "ندير فرعين من لوحة تحكم واحدة، رائع!",
        ],
        "passive": [
            "جيد، لكن تصدير التقارير صعب.",
            "السعر مرتفع قليلًا لمتجر واحد.",
            "التطبيق بطيء على الجهاز اللوحي القديم.",
        ],
        "detractor": [
            "فشل الدفع مرتين وقت الغداء.",
            "الدعم أغلق التذكرة دون حل المشكلة.",
            "أصبح غاليًا جدًا بعد زيادة السعر.",
            "الطابعة توقفت بعد التحديث.",
        ],
    },
    "ja": {
        "promoter": [
            "導入が簡単で、サポートの対応もとても早いです。",
            "ピーク時でもカード決済が安定しています。",
            "毎日の売上レポートがとても便利です。",
            "二店舗を一つの画面で管理できて助かっています。",
        ],
        "passive": [
            "便利ですが、レポートの出力が分かりにくいです。",
            "一店舗だけだとプロプランは少し高いと感じます。",
            "古いタブレットでは動作が少し遅いです。",
        ],
        "detractor": [
            "昼のピーク時に決済が二回失敗しました。",
            "サポートに問い合わせても解決しないまま終わりました。",
            "値上げ後は高すぎると思います。",
            "アップデート後にレシートプリンターが使えなくなりました。",
        ],
    },
    "zh-hans": {
        "promoter": [
            "上手很快，客服响应也非常及时。",
            "高峰期刷卡和扫码支付都很稳定。",
            "每日销售报表非常实用。",
            "两家门店用一个后台管理，省了很多时间。",
        ],
        "passive": [
            "整体不错，但导出报表比较麻烦。",
            "只有一家店的话，专业版有点贵。",
            "在旧平板上运行有点慢。",
        ],
        "detractor": [
            "午餐高峰期支付失败了两次。",
            "客服没解决问题就把工单关了。",
            "涨价以后太贵了。",
            "更新之后小票打印机不能用了。",
        ],
    },
}
