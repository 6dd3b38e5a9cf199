"""Khmer translations of the UI strings (source of truth is the .po; this script fills new ones).

Run after `pybabel update` (see README, Translations): python locales/update_km.py
"""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

KM = {
    "(not yet confirmed)": "(មិនទាន់បានបញ្ជាក់)",
    "/cancel – leave a guided check": "/cancel – ចេញពីការត្រួតពិនិត្យ",
    "/checks – guided checks: am I ready? is this job offer safe?": "/checks – ការត្រួតពិនិត្យ៖ តើខ្ញុំត្រៀមខ្លួនរួចហើយឬនៅ? តើការងារនេះមានសុវត្ថិភាពទេ?",
    "/hotlines – numbers to call for help": "/hotlines – លេខទូរស័ព្ទសុំជំនួយ",
    "/language – ភាសាខ្មែរ or English": "/language – ភាសាខ្មែរ ឬ English",
    "/menu – the main menu": "/menu – ម៉ឺនុយដើម",
    "/privacy – what this bot keeps about you, and how to delete it": "/privacy – អ្វីដែលបូតនេះរក្សាទុកអំពីអ្នក និងរបៀបលុបវាចោល",
    "/start – start again and show the menu": "/start – ចាប់ផ្ដើមម្ដងទៀត និងបង្ហាញម៉ឺនុយ",
    "A few questions, one tap each. Choose one:": "សំណួរពីរបី ចុចម្ដងមួយៗ។ សូមជ្រើសរើសមួយ៖",
    "Cambodia": "ប្រទេសកម្ពុជា",
    "Checked by our editors on {date}.": "ក្រុមការងាររបស់យើងបានពិនិត្យនៅថ្ងៃទី {date}។",
    "Choose a topic, or type your question.": "សូមជ្រើសរើសប្រធានបទ ឬវាយសំណួររបស់អ្នក។",
    "Choose your language:": "សូមជ្រើសរើសភាសា៖",
    "Commands:": "ពាក្យបញ្ជា៖",
    "Delete everything this bot keeps about you? This cannot be undone.": "លុបអ្វីៗទាំងអស់ដែលបូតនេះរក្សាទុកអំពីអ្នកមែនទេ? លុបហើយមិនអាចយកមកវិញបានទេ។",
    "Did you mean:": "តើអ្នកចង់សួរអំពី៖",
    "Done. Everything the bot kept about you has been deleted.": "រួចរាល់។ អ្វីៗទាំងអស់ដែលបូតរក្សាទុកអំពីអ្នក ត្រូវបានលុបចោលហើយ។",
    "From now on I will answer in English.": "ចាប់ពីពេលនេះតទៅ ខ្ញុំនឹងឆ្លើយជាភាសាខ្មែរ។",
    "Guided checks": "ការត្រួតពិនិត្យជាជំហានៗ",
    "Hello! I give free, private information about working abroad safely: the legal ways to go, what it costs, your rights, and who to call for help.":
        "សួស្ដី! ខ្ញុំផ្ដល់ព័ត៌មានដោយឥតគិតថ្លៃ និងជាការសម្ងាត់ អំពីការទៅធ្វើការនៅក្រៅប្រទេសដោយសុវត្ថិភាព៖ ផ្លូវច្បាប់ដើម្បីទៅ ថ្លៃចំណាយ សិទ្ធិរបស់អ្នក និងអ្នកដែលអាចជួយអ្នកបាន។",
    "How to use this bot:": "របៀបប្រើបូតនេះ៖",
    "I answer in private chats only, so that nobody else sees your questions. Please open a private chat with me.":
        "ខ្ញុំឆ្លើយតែក្នុងការជជែកឯកជនប៉ុណ្ណោះ ដើម្បីកុំឱ្យអ្នកដទៃឃើញសំណួររបស់អ្នក។ សូមបើកការជជែកឯកជនជាមួយខ្ញុំ។",
    "I can only read text. Please type your question, or choose a topic below.": "ខ្ញុំអានបានតែអក្សរប៉ុណ្ណោះ។ សូមវាយសំណួររបស់អ្នក ឬជ្រើសរើសប្រធានបទខាងក្រោម។",
    "It keeps, under a code that cannot be traced back to you: your language, the questions you type (with phone, ID and passport numbers and emails removed), which answers were shown, and where you are in a guided check.":
        "វារក្សាទុក ក្រោមលេខកូដមួយដែលគ្មាននរណាអាចតាមដានមករកអ្នកបាន៖ ភាសារបស់អ្នក សំណួរដែលអ្នកវាយ (ដោយលុបលេខទូរស័ព្ទ លេខអត្តសញ្ញាណប័ណ្ណ លេខលិខិតឆ្លងដែន និងអ៊ីមែលចេញ) ចម្លើយណាដែលបានបង្ហាញ និងកន្លែងដែលអ្នកនៅក្នុងការត្រួតពិនិត្យ។",
    "Japan": "ប្រទេសជប៉ុន",
    "Malaysia": "ប្រទេសម៉ាឡេស៊ី",
    "No, keep": "ទេ កុំលុប",
    "Not yet confirmed by our editors{year}: check before relying on it.": "ក្រុមការងាររបស់យើងមិនទាន់បានបញ្ជាក់{year}៖ សូមពិនិត្យមុននឹងប្រើ។",
    "Nothing was deleted.": "មិនបានលុបអ្វីទេ។",
    "Numbers that can help now:": "លេខដែលអាចជួយអ្នកបានឥឡូវនេះ៖",
    "Other countries": "ប្រទេសផ្សេងទៀត",
    "Please type a question, for example: How much does a passport cost?": "សូមវាយសំណួរ ឧទាហរណ៍៖ ធ្វើលិខិតឆ្លងដែនអស់ប៉ុន្មាន?",
    "Please use one of the buttons below.": "សូមចុចប៊ូតុងមួយខាងក្រោម។",
    "Sorry this did not help. You can ask again in other words, or talk to a person: the hotlines and Migrant Worker Resource Centres give free advice.":
        "សូមទោស ដែលចម្លើយនេះមិនបានជួយអ្នក។ អ្នកអាចសួរម្ដងទៀតដោយប្រើពាក្យផ្សេង ឬនិយាយជាមួយមនុស្ស៖ ខ្សែទូរស័ព្ទបន្ទាន់ និងមជ្ឈមណ្ឌលធនធានពលករចំណាកស្រុក ផ្ដល់ដំបូន្មានដោយឥតគិតថ្លៃ។",
    "Sorry, I don't know the answer to that yet. I only answer questions about working abroad safely. Try other words, or choose a topic below.":
        "សូមទោស ខ្ញុំមិនទាន់ដឹងចម្លើយនេះនៅឡើយទេ។ ខ្ញុំឆ្លើយតែសំណួរអំពីការទៅធ្វើការនៅក្រៅប្រទេសដោយសុវត្ថិភាពប៉ុណ្ណោះ។ សូមសាកល្បងប្រើពាក្យផ្សេង ឬជ្រើសរើសប្រធានបទខាងក្រោម។",
    "Sorry, something went wrong on my side. Please try again, or choose a topic below.":
        "សូមទោស មានបញ្ហាខាងខ្ញុំ។ សូមព្យាយាមម្ដងទៀត ឬជ្រើសរើសប្រធានបទខាងក្រោម។",
    "Sorry, that button no longer works. Here is the menu.": "សូមទោស ប៊ូតុងនោះលែងដំណើរការហើយ។ នេះជាម៉ឺនុយ។",
    "Some facts here are not yet confirmed by our editors: check them at an official office.":
        "ព័ត៌មានខ្លះនៅទីនេះ ក្រុមការងាររបស់យើងមិនទាន់បានបញ្ជាក់នៅឡើយ៖ សូមពិនិត្យនៅការិយាល័យផ្លូវការ។",
    "Sorry, that guided check does not exist.": "សូមទោស មិនមានការត្រួតពិនិត្យនោះទេ។",
    "South Korea": "ប្រទេសកូរ៉េខាងត្បូង",
    "Thailand": "ប្រទេសថៃ",
    "Thank you for your feedback!": "អរគុណសម្រាប់មតិរបស់អ្នក!",
    "Thank you! Your feedback helps us improve the answers.": "អរគុណ! មតិរបស់អ្នកជួយយើងឱ្យកែលម្អចម្លើយ។",
    "Thank you. Sorry it did not help.": "អរគុណ។ សូមទោស ដែលវាមិនបានជួយ។",
    "That check has changed since you started it. Please start it again.": "ការត្រួតពិនិត្យនេះបានផ្លាស់ប្ដូរ តាំងពីអ្នកចាប់ផ្ដើម។ សូមចាប់ផ្ដើមម្ដងទៀត។",
    "That check has finished or was replaced by a newer one. You can start it again.": "ការត្រួតពិនិត្យនោះបានបញ្ចប់ ឬត្រូវបានជំនួសដោយការត្រួតពិនិត្យថ្មី។ អ្នកអាចចាប់ផ្ដើមវាម្ដងទៀតបាន។",
    "That check is no longer available.": "ការត្រួតពិនិត្យនោះលែងមានទៀតហើយ។",
    "This answer describes the bot itself and needs no outside source.": "ចម្លើយនេះនិយាយអំពីបូតខ្លួនឯង ហើយមិនត្រូវការប្រភពពីខាងក្រៅទេ។",
    "This bot does not keep your name, username, phone number or Telegram ID.": "បូតនេះមិនរក្សាទុកឈ្មោះ ឈ្មោះអ្នកប្រើ លេខទូរស័ព្ទ ឬលេខសម្គាល់ Telegram របស់អ្នកទេ។",
    "Type your question in Khmer or English, or choose a topic below.": "សូមវាយសំណួររបស់អ្នកជាភាសាខ្មែរ ឬភាសាអង់គ្លេស ឬជ្រើសរើសប្រធានបទខាងក្រោម។",
    "We use this only to improve the answers. Question texts are deleted after {days} days.": "យើងប្រើវាសម្រាប់តែកែលម្អចម្លើយប៉ុណ្ណោះ។ អត្ថបទសំណួរត្រូវបានលុបចោលក្រោយ {days} ថ្ងៃ។",
    "Where this information comes from:": "ព័ត៌មាននេះបានមកពី៖",
    "Who can help:": "អ្នកដែលអាចជួយបាន៖",
    "Yes, delete": "បាទ/ចាស លុបចោល",
    "You already answered that question. Here is where you are now:": "អ្នកបានឆ្លើយសំណួរនោះរួចហើយ។ នេះជាកន្លែងដែលអ្នកនៅឥឡូវនេះ៖",
    "You are not in a guided check. Choose a topic, or type your question.": "អ្នកមិននៅក្នុងការត្រួតពិនិត្យណាមួយទេ។ សូមជ្រើសរើសប្រធានបទ ឬវាយសំណួររបស់អ្នក។",
    "You are sending messages very fast. Please wait a few seconds, then ask again.": "អ្នកកំពុងផ្ញើសារលឿនពេក។ សូមរង់ចាំពីរបីវិនាទី រួចសួរម្ដងទៀត។",
    "You can delete everything the bot keeps about you at any time.": "អ្នកអាចលុបអ្វីៗទាំងអស់ដែលបូតរក្សាទុកអំពីអ្នក នៅពេលណាក៏បាន។",
    "You left the check. Ask me anything, or choose a topic.": "អ្នកបានចេញពីការត្រួតពិនិត្យហើយ។ សូមសួរខ្ញុំ ឬជ្រើសរើសប្រធានបទ។",
    "Your check “{title}” is waiting; its buttons still work.": "ការត្រួតពិនិត្យ «{title}» របស់អ្នកកំពុងរង់ចាំ ប៊ូតុងរបស់វានៅតែប្រើបាន។",
    "Your privacy": "ភាពឯកជនរបស់អ្នក",
    "• Or press a button to choose a topic.": "• ឬចុចប៊ូតុងដើម្បីជ្រើសរើសប្រធានបទ។",
    "• Type a question, for example: How do I go to Thailand legally?": "• វាយសំណួរ ឧទាហរណ៍៖ តើខ្ញុំទៅប្រទេសថៃតាមផ្លូវច្បាប់ដោយរបៀបណា?",
    "ℹ️ About": "ℹ️ អំពីបូតនេះ",
    "▶️ Continue the check": "▶️ បន្តការត្រួតពិនិត្យ",
    "☰ Menu": "☰ ម៉ឺនុយ",
    "✅ Guided checks": "✅ ការត្រួតពិនិត្យជាជំហានៗ",
    "✖ Leave this check": "✖ ចេញពីការត្រួតពិនិត្យ",
    "📚 Sources": "📚 ប្រភព",
    "📤 Share this check with a friend": "📤 ចែករំលែកទៅមិត្តភក្តិ",
    "🗑 Delete my data": "🗑 លុបទិន្នន័យរបស់ខ្ញុំ",
}

if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    po_path = root / "locales/km/LC_MESSAGES/messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale="km")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.id in KM:
            message.string = KM[message.id]
            message.flags.discard("fuzzy")
        elif not message.string:
            missing.append(message.id)
    with po_path.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
    print(f"{len(catalog) - len(missing)} translated, {len(missing)} missing")
    for m in missing:
        print("MISSING:", m)
