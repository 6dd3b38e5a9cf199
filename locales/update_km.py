"""Khmer translations of the UI strings (source of truth is the .po; this script fills new ones).

Run after `pybabel update` (see README, Translations): python locales/update_km.py
"""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

KM = {
    "I am not sure I understood. Is your question about one of these?":
        "ខ្ញុំមិនប្រាកដថាខ្ញុំយល់ទេ។ តើសំណួររបស់អ្នកនិយាយអំពីរឿងណាមួយក្នុងចំណោមរឿងទាំងនេះ?",
    "If not, please tell me in other words. I only answer questions about working abroad safely.":
        "បើមិនមែនទេ សូមប្រាប់ខ្ញុំដោយប្រើពាក្យផ្សេង។ ខ្ញុំឆ្លើយតែសំណួរអំពីការទៅធ្វើការនៅក្រៅប្រទេសដោយសុវត្ថិភាពប៉ុណ្ណោះ។",
    "You may be in danger. Get help now:":
        "អ្នកប្រហែលជាកំពុងមានគ្រោះថ្នាក់។ សូមរកជំនួយឥឡូវនេះ៖",
    "Where are you now? Choose the country to see the numbers to call:":
        "ឥឡូវនេះអ្នកនៅឯណា? សូមជ្រើសរើសប្រទេស ដើម្បីមើលលេខទូរស័ព្ទដែលត្រូវហៅ៖",
    "If you can, go to a safe place and tell someone you trust where you are.":
        "បើអាចធ្វើបាន សូមទៅកន្លែងដែលមានសុវត្ថិភាព ហើយប្រាប់អ្នកដែលអ្នកទុកចិត្តថា អ្នកនៅឯណា។",
    "🆘 I need help now: what to do":
        "🆘 ខ្ញុំត្រូវការជំនួយឥឡូវនេះ៖ ត្រូវធ្វើអ្វី",
    "Sorry, that guided check does not exist.":
        "សូមទោស ការពិនិត្យនេះមិនមានទេ។",
    "It keeps, under a code instead of your Telegram account:":
        "បូតរក្សាទុកព័ត៌មានទាំងនេះ ដោយប្រើលេខកូដជំនួសគណនី Telegram របស់អ្នក៖",
    "• your language":
        "• ភាសារបស់អ្នក",
    "• the questions you type (phone, ID and passport numbers, e-mails, social media links and a name given as \"my name is …\" are removed first)":
        "• សំណួរដែលអ្នកវាយ (បូតលុបលេខទូរស័ព្ទ លេខអត្តសញ្ញាណប័ណ្ណ លេខលិខិតឆ្លងដែន អ៊ីមែល តំណបណ្ដាញសង្គម និងឈ្មោះដែលអ្នកសរសេរថា «ខ្ញុំឈ្មោះ…» ចេញជាមុនសិន)",
    "• which topics and buttons you opened":
        "• ប្រធានបទ និងប៊ូតុងដែលអ្នកបានចុចបើក",
    "• the steps of a guided check you reached":
        "• ជំហានដែលអ្នកបានទៅដល់ក្នុងការពិនិត្យជាជំហានៗ",
    "• your centre's code, if you came from its QR code":
        "• លេខកូដមជ្ឈមណ្ឌលរបស់អ្នក ប្រសិនបើអ្នកចូលមកតាមកូដ QR របស់មជ្ឈមណ្ឌលនោះ",
    "Your answers in a guided check are kept only until you finish or leave it.":
        "បូតរក្សាទុកចម្លើយរបស់អ្នកក្នុងការពិនិត្យជាជំហានៗ តែរហូតដល់ពេលអ្នកបញ្ចប់ ឬចាកចេញពីការពិនិត្យនោះប៉ុណ្ណោះ។",
    "We use this only to improve the answers. After {days} days your questions are deleted, and the rest is no longer linked to your code: only counts remain. If you do not use the bot for {days} days, your language choice is deleted too.":
        "យើងប្រើព័ត៌មាននេះ តែដើម្បីធ្វើឱ្យចម្លើយរបស់បូតកាន់តែល្អប៉ុណ្ណោះ។ ក្រោយ {days} ថ្ងៃ សំណួររបស់អ្នកនឹងត្រូវលុបចោល ហើយព័ត៌មានផ្សេងៗទៀត នឹងលែងភ្ជាប់ទៅលេខកូដរបស់អ្នក គឺនៅសល់តែចំនួនសរុបប៉ុណ្ណោះ។ ប្រសិនបើអ្នកមិនប្រើបូតនេះអស់រយៈពេល {days} ថ្ងៃ ភាសាដែលអ្នកបានជ្រើសរើសក៏នឹងត្រូវលុបចោលដែរ។",
    "Telegram itself keeps this chat, on your phone and on its servers. If someone may look at your phone, delete this chat in Telegram too.":
        "ចំណែកកម្មវិធី Telegram វិញ វារក្សាទុកការសន្ទនានេះ នៅក្នុងទូរស័ព្ទរបស់អ្នក និងនៅលើម៉ាស៊ីនមេរបស់វា។ ប្រសិនបើមាននរណាម្នាក់អាចមើលទូរស័ព្ទរបស់អ្នក សូមលុបការសន្ទនានេះនៅក្នុង Telegram ផងដែរ។",
    "(not yet confirmed)": "(មិនទាន់បានបញ្ជាក់)",
    "/cancel – leave a guided check": "/cancel – ចេញពីការពិនិត្យជាជំហានៗ",
    "/checks – guided checks: am I ready? is this job offer safe?": "/checks – ពិនិត្យជាជំហានៗ៖ តើខ្ញុំត្រៀមខ្លួនរួចហើយឬនៅ? តើការងារដែលគេផ្ដល់ឱ្យនេះមានសុវត្ថិភាពទេ?",
    "/hotlines – numbers to call for help": "/hotlines – លេខទូរស័ព្ទសុំជំនួយ",
    "/language – ភាសាខ្មែរ or English": "/language – ភាសាខ្មែរ ឬ English",
    "/menu – the main menu": "/menu – ម៉ឺនុយដើម",
    "/privacy – what this bot keeps about you, and how to delete it": "/privacy – អ្វីដែលបូតនេះរក្សាទុកអំពីអ្នក និងរបៀបលុបវាចោល",
    "/start – start again and show the menu": "/start – ចាប់ផ្ដើមម្ដងទៀត និងបង្ហាញម៉ឺនុយ",
    "A few questions, one tap each. Choose one:": "សំណួរខ្លីៗពីរបី គ្រាន់តែចុចប៊ូតុងដើម្បីឆ្លើយ។ សូមជ្រើសរើសមួយ៖",
    "Cambodia": "ប្រទេសកម្ពុជា",
    "Checked by our editors on {date}.": "ក្រុមការងាររបស់យើងបានពិនិត្យព័ត៌មាននេះ នៅ {date}។",
    "Choose a topic, or type your question.": "សូមជ្រើសរើសប្រធានបទ ឬវាយសំណួររបស់អ្នក។",
    "Choose your language:": "សូមជ្រើសរើសភាសា៖",
    "Commands:": "ពាក្យបញ្ជា៖",
    "Delete everything this bot keeps about you? This cannot be undone.": "លុបអ្វីៗទាំងអស់ដែលបូតនេះរក្សាទុកអំពីអ្នកមែនទេ? លុបហើយមិនអាចយកមកវិញបានទេ។",
    "Did you mean:": "តើអ្នកចង់សួរអំពី៖",
    "Done. Everything the bot kept about you has been deleted.": "រួចរាល់។ បូតបានលុបអ្វីៗទាំងអស់ដែលវារក្សាទុកអំពីអ្នកហើយ។",
    "From now on I will answer in English.": "ចាប់ពីពេលនេះតទៅ ខ្ញុំនឹងឆ្លើយជាភាសាខ្មែរ។",
    "Guided checks": "ការពិនិត្យជាជំហានៗ",
    "Hello! I give free, private information about working abroad safely: the legal ways to go, what it costs, your rights, and who to call for help.":
        "សួស្ដី! ខ្ញុំផ្ដល់ព័ត៌មានដោយឥតគិតថ្លៃ និងរក្សាការសម្ងាត់ អំពីការទៅធ្វើការនៅក្រៅប្រទេសដោយសុវត្ថិភាព៖ របៀបទៅតាមផ្លូវច្បាប់ ថ្លៃចំណាយ សិទ្ធិរបស់អ្នក និងលេខដែលត្រូវហៅពេលត្រូវការជំនួយ។",
    "How to use this bot:": "របៀបប្រើបូតនេះ៖",
    "I answer in private chats only, so that nobody else sees your questions. Please open a private chat with me.":
        "ខ្ញុំឆ្លើយតែក្នុងឆាតឯកជន (ឆាតតែអ្នក និងខ្ញុំ) ប៉ុណ្ណោះ ដើម្បីកុំឱ្យអ្នកផ្សេងឃើញសំណួររបស់អ្នក។ សូមបើកឆាតឯកជនជាមួយខ្ញុំ។",
    "I can only read text. Please type your question, or choose a topic below.": "ខ្ញុំអានបានតែអក្សរប៉ុណ្ណោះ។ សូមវាយសំណួររបស់អ្នក ឬជ្រើសរើសប្រធានបទខាងក្រោម។",
    "Japan": "ប្រទេសជប៉ុន",
    "Malaysia": "ប្រទេសម៉ាឡេស៊ី",
    "No, keep": "ទេ កុំលុប",
    "Not yet confirmed by our editors{year}: check before relying on it.": "ព័ត៌មាននេះ{year} ក្រុមការងាររបស់យើងមិនទាន់បានបញ្ជាក់ទេ៖ សូមសួរបញ្ជាក់ម្ដងទៀតសិន មុននឹងប្រើ។",
    "Nothing was deleted.": "មិនបានលុបអ្វីទេ។",
    "Numbers that can help now:": "លេខទូរស័ព្ទដែលអាចជួយអ្នកបានឥឡូវនេះ៖",
    "Offices, websites and more, by country:": "ការិយាល័យ គេហទំព័រ និងព័ត៌មានបន្ថែម តាមប្រទេសនីមួយៗ៖",
    "We have no checked contacts for this country yet. Ask the Cambodian embassy.": "យើងមិនទាន់មានលេខទំនាក់ទំនងដែលបានពិនិត្យសម្រាប់ប្រទេសនេះនៅឡើយទេ។ សូមសួរស្ថានទូតកម្ពុជា។",
    "Wherever you are": "មិនថាអ្នកនៅប្រទេសណាទេ",
    "Other countries": "ប្រទេសផ្សេងទៀត",
    "Please type a question, for example: How much does a passport cost?": "សូមវាយសំណួរ ឧទាហរណ៍៖ ធ្វើលិខិតឆ្លងដែន (ប៉ាស្ព័រ) អស់លុយប៉ុន្មាន?",
    "Please use one of the buttons below.": "សូមចុចប៊ូតុងមួយខាងក្រោម។",
    "Sorry this did not help. You can ask again in other words, or talk to a person: the hotlines and Migrant Worker Resource Centres give free advice.":
        "សូមទោស ដែលចម្លើយនេះមិនបានជួយអ្នក។ អ្នកអាចសួរម្ដងទៀតដោយប្រើពាក្យផ្សេង ឬនិយាយជាមួយមនុស្សពិត៖ ខ្សែទូរស័ព្ទបន្ទាន់ (លេខទូរស័ព្ទសុំជំនួយ) និងមជ្ឈមណ្ឌលធនធានពលករចំណាកស្រុក (MRC) ផ្ដល់ដំបូន្មានដោយឥតគិតថ្លៃ។",
    "Sorry, I don't know the answer to that yet. I only answer questions about working abroad safely. Try other words, or choose a topic below.":
        "សូមទោស ខ្ញុំមិនទាន់ដឹងចម្លើយនេះនៅឡើយទេ។ ខ្ញុំឆ្លើយតែសំណួរអំពីការទៅធ្វើការនៅក្រៅប្រទេសដោយសុវត្ថិភាពប៉ុណ្ណោះ។ សូមសាកល្បងប្រើពាក្យផ្សេង ឬជ្រើសរើសប្រធានបទខាងក្រោម។",
    "Sorry, something went wrong on my side. Please try again, or choose a topic below.":
        "សូមទោស មានបញ្ហាខាងខ្ញុំ។ សូមព្យាយាមម្ដងទៀត ឬជ្រើសរើសប្រធានបទខាងក្រោម។",
    "Sorry, that button no longer works. Here is the menu.": "សូមទោស ប៊ូតុងនោះលែងដំណើរការហើយ។ នេះជាម៉ឺនុយ។",
    "Some facts here are not yet confirmed by our editors: check them at an official office.":
        "ព័ត៌មានខ្លះនៅទីនេះ ក្រុមការងាររបស់យើងមិនទាន់បានបញ្ជាក់នៅឡើយទេ៖ សូមសួរបញ្ជាក់នៅការិយាល័យរបស់រដ្ឋ។",
    "Sorry, that guided check does not exist.": "សូមទោស មិនមានការពិនិត្យជាជំហានៗនេះទេ។",
    "South Korea": "ប្រទេសកូរ៉េខាងត្បូង",
    "Thailand": "ប្រទេសថៃ",
    "Thank you for your feedback!": "អរគុណសម្រាប់មតិរបស់អ្នក!",
    "Thank you! Your feedback helps us improve the answers.": "អរគុណ! មតិរបស់អ្នកជួយយើងកែចម្លើយឱ្យកាន់តែល្អ។",
    "Thank you. Sorry it did not help.": "អរគុណ។ សូមទោស ដែលចម្លើយនេះមិនបានជួយអ្នក។",
    "That check has changed since you started it. Please start it again.": "យើងបានកែប្រែការពិនិត្យនេះ ក្រោយពេលអ្នកចាប់ផ្ដើម។ សូមចាប់ផ្ដើមម្ដងទៀត។",
    "That check has finished or was replaced by a newer one. You can start it again.": "ការពិនិត្យនោះបានចប់ហើយ ឬអ្នកបានចាប់ផ្ដើមការពិនិត្យថ្មីមួយទៀត។ អ្នកអាចចាប់ផ្ដើមវាម្ដងទៀតបាន។",
    "That check is no longer available.": "ការពិនិត្យនោះលែងមានទៀតហើយ។",
    "This answer describes the bot itself and needs no outside source.": "ចម្លើយនេះនិយាយអំពីបូតខ្លួនឯង ហើយមិនត្រូវការប្រភពពីខាងក្រៅទេ។",
    "This bot does not keep your name, username, phone number or Telegram ID.": "បូតនេះមិនរក្សាទុកឈ្មោះ ឈ្មោះអ្នកប្រើ លេខទូរស័ព្ទ ឬលេខសម្គាល់ Telegram របស់អ្នកទេ។",
    "Type your question in Khmer or English, or choose a topic below.": "សូមវាយសំណួររបស់អ្នកជាភាសាខ្មែរ ឬភាសាអង់គ្លេស ឬជ្រើសរើសប្រធានបទខាងក្រោម។",
    "Where this information comes from:": "ព័ត៌មាននេះបានមកពី៖",
    "Who can help:": "អ្នកដែលអាចជួយបាន៖",
    "Yes, delete": "បាទ/ចាស លុបចោល",
    "You already answered that question. Here is where you are now:": "អ្នកបានឆ្លើយសំណួរនោះរួចហើយ។ នេះជាសំណួរដែលអ្នកដល់ឥឡូវនេះ៖",
    "You are not in a guided check. Choose a topic, or type your question.": "ឥឡូវនេះ អ្នកមិនកំពុងធ្វើការពិនិត្យជាជំហានៗណាមួយទេ។ សូមជ្រើសរើសប្រធានបទ ឬវាយសំណួររបស់អ្នក។",
    "You are sending messages very fast. Please wait a few seconds, then ask again.": "អ្នកកំពុងផ្ញើសារលឿនពេក។ សូមរង់ចាំពីរបីវិនាទី រួចសួរម្ដងទៀត។",
    "You can delete everything the bot keeps about you at any time: /forget": "អ្នកអាចលុបអ្វីៗទាំងអស់ដែលបូតរក្សាទុកអំពីអ្នក នៅពេលណាក៏បាន៖ /forget",
    "You left the check. Ask me anything, or choose a topic.": "អ្នកបានចេញពីការពិនិត្យហើយ។ សួរខ្ញុំអ្វីក៏បាន ឬជ្រើសរើសប្រធានបទ។",
    "Your check “{title}” is waiting; its buttons still work.": "ការពិនិត្យ «{title}» របស់អ្នកមិនទាន់ចប់ទេ ប៊ូតុងរបស់វានៅតែចុចបាន។",
    "Your privacy": "ភាពឯកជនរបស់អ្នក",
    "• Or press a button to choose a topic.": "• ឬចុចប៊ូតុងដើម្បីជ្រើសរើសប្រធានបទ។",
    "• Type a question, for example: How do I go to Thailand legally?": "• វាយសំណួរ ឧទាហរណ៍៖ តើទៅធ្វើការនៅប្រទេសថៃតាមផ្លូវច្បាប់ យ៉ាងម៉េច?",
    "ℹ️ About": "ℹ️ អំពីបូតនេះ",
    "▶️ Continue the check": "▶️ បន្តការពិនិត្យ",
    "☰ Menu": "☰ ម៉ឺនុយ",
    "✅ Guided checks": "✅ ការពិនិត្យជាជំហានៗ",
    "✖ Leave this check": "✖ ចេញពីការពិនិត្យនេះ",
    "📚 Sources": "📚 ប្រភពព័ត៌មាន",
    "📤 Share this check with a friend": "📤 ចែករំលែកការពិនិត្យនេះទៅមិត្តភក្តិ",
    "🗑 Delete my data": "🗑 លុបព័ត៌មានរបស់ខ្ញុំ",
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
