"""The everyday words that start each intent, in one place.

A message starts an intent when the whole of it is one of these (bot.thai.match_keyword: particles,
stretched letters, one-letter typos, and polite wrappers such as ขอ…, อยาก…, …ให้หน่อย, …ได้ไหม are
forgiven). A sentence that only contains the words ('อบรมเมื่อวานสนุกมาก') starts nothing. The menu
labels of each intent count too (registry.Intent.triggers). A message that is none of them may still be a
short request in the member's own words (FRAME_WORDS and FRAMES at the end, bot.thai.frames).
"""
from __future__ import annotations

from bot.registry import add_frames
from bot.thai.frames import FILLER, frame

EVENT_LIST = (
    "อบรม", "สัมมนา", "อบรมสัมมนา", "งานอบรม", "เวทีเสวนา", "ดูอบรม", "ดูงานอบรม", "รายการอบรม", "ตารางอบรม",
    "มีอบรมอะไรบ้าง", "อบรมมีอะไรบ้าง", "งานอบรมที่เปิดรับสมัคร", "อบรมที่เปิดรับสมัคร", "หลักสูตรอบรม",
    "ปฏิทินอบรม", "ข่าวอบรม", "trainings", "events",
)
# Registering with no event named shows the open events to choose from; joining the waitlist of a
# full event is registering too.
EVENT_REGISTER = (
    "สมัครอบรม", "ลงทะเบียนอบรม", "ลงชื่ออบรม", "สมัครเข้าอบรม", "ลงทะเบียนเข้าอบรม", "ลงทะเบียนเข้าร่วมอบรม",
    "สมัครเข้าร่วมอบรม", "ลงทะเบียนงานอบรม", "สมัครงานอบรม", "ลงทะเบียนสัมมนา", "สมัครสัมมนา", "ลงทะเบียน",
    "ลงชื่อ", "ลงชื่อเข้าอบรม", "ลงชื่อด้วย",
    "ต่อคิวสำรอง", "ลงคิวสำรอง", "เข้าคิวสำรอง", "จองคิวสำรอง", "เป็นตัวสำรอง", "เป็นคิวสำรอง", "คิวสำรอง",
    "ต่อคิว", "เข้าคิวรอ", "ต่อคิวรอ", "รอคิว", "register",
)
# Cancelling is shown from the member's registrations; with only one, that one is asked about at once.
EVENT_CANCEL = (
    "ยกเลิกการลงทะเบียน", "ยกเลิกลงทะเบียน", "ยกเลิกการสมัครอบรม", "ยกเลิกอบรม", "ยกเลิกการจอง", "ยกเลิกจอง",
    "ถอนชื่อ", "ถอนการลงทะเบียน", "ยกเลิกคิวสำรอง",
)
EVENT_MINE = (
    "ลงทะเบียนของฉัน", "การลงทะเบียน", "การลงทะเบียนของฉัน", "ดูการลงทะเบียน", "ที่ลงทะเบียนไว้",
    "อบรมที่ลงทะเบียนไว้", "อบรมที่สมัครไว้", "ตรวจสอบการลงทะเบียน", "สถานะการลงทะเบียน", "คิวสำรองของฉัน",
    "my registrations",
) + EVENT_CANCEL
PROFILE_SHOW = (
    "ข้อมูลส่วนตัว", "โปรไฟล์", "ดูข้อมูล", "ข้อมูลของฉัน", "ดูข้อมูลของฉัน", "ข้อมูลฉัน", "ดูข้อมูลส่วนตัว",
    "ดูโปรไฟล์", "ข้อมูลสมาชิก", "ข้อมูลตัวเอง", "ดูข้อมูลตัวเอง", "ตรวจสอบข้อมูล", "เช็คข้อมูล", "เช็กข้อมูล", "profile", "my data",
)
PROFILE_EDIT = (
    "แก้ข้อมูล", "แก้ไขข้อมูล", "แก้ไขข้อมูลส่วนตัว", "แก้ข้อมูลส่วนตัว", "เปลี่ยนข้อมูล", "เปลี่ยนเบอร์",
    "เปลี่ยนเบอร์โทร", "แก้เบอร์โทร", "แก้ไขเบอร์โทร", "อัปเดตข้อมูล", "อัพเดทข้อมูล", "แก้ไขโปรไฟล์",
    "edit profile",
)
REPORT_START = (
    "ส่งรายงาน", "รายงานผล", "รายงานกิจกรรม", "ส่งรายงานกิจกรรม", "ทำรายงาน", "ส่งรายงานผล",
    "ส่งผลการดำเนินงาน", "กรอกรายงาน", "เขียนรายงาน", "ส่งกิจกรรม", "แจ้งผลกิจกรรม", "รายงาน", "report",
)
DIRECTORY = (
    "ทำเนียบ", "ค้นหาองค์กร", "หาองค์กร", "ค้นหามูลนิธิ", "ค้นหาสมาคม", "ค้นหาชมรม", "ทำเนียบองค์กร",
    "รายชื่อองค์กร", "ค้นหาเครือข่าย", "หาเบอร์องค์กร", "สมุดรายชื่อ", "directory",
)
SIGNUP = (
    "สมัคร", "ลงทะเบียนสมาชิก", "สมัครสมาชิก", "สมัครใช้งาน", "ลงทะเบียนใช้งาน", "เริ่มใช้งาน", "ลงทะเบียนองค์กร",
    "สมัครองค์กร", "เป็นสมาชิก", "sign up", "/start",
)
THANKS = (
    "ขอบคุณ", "ขอบคุณมาก", "ขอบคุณมากๆ", "ขอบคุณมากเลย", "ขอบพระคุณ", "ขอบพระคุณมาก", "ขอบใจ", "ขอบคุณสำหรับข้อมูล",
    "ขอบคุณที่แจ้ง", "ขอบคุณที่ช่วย", "ขอบคุณๆ", "ขอบคุณนะ", "thank you", "thanks", "thx", "ty", "🙏",
)


# --- requests in a member's own words (bot.thai.frames) --------------------------------------------
# When a message is not one of the words above, it may still be a short request made of these words in
# any order: 'มีอบรมไหมคะ', 'สมัครเข้าอบรมได้ที่ไหนคะ', 'เบอร์เปลี่ยนค่ะ'. Each word stands for a concept;
# FILLER words carry none. A message with more than a letter or two outside these words starts nothing.
FRAME_WORDS: dict[str, tuple[str, ...]] = {
    "event": ("อบรม", "สัมมนา", "งานอบรม", "หลักสูตร", "เวทีเสวนา", "เสวนา", "ประชุมเชิงปฏิบัติการ", "training",
              "trainings", "seminar", "event", "events"),
    "register": ("สมัคร", "ลงทะเบียน", "ลงชื่อ", "จองที่", "จอง", "ต่อคิว", "คิวสำรอง", "register"),
    "join": ("เข้าร่วม", "เข้า", "ไปร่วม", "ไป", "ร่วม", "join"),  # a register word only with an event
    "cancel": ("ยกเลิก", "ถอนชื่อ", "ถอน", "cancel"),
    "unable": ("ไปไม่ได้", "ไม่ไป", "ไม่สะดวก", "ไม่ว่าง", "ติดธุระ", "ติดภารกิจ", "ไม่ได้"),
    "mine": ("ของฉัน", "ของผม", "ของหนู", "ของเรา", "ของตัวเอง", "ไว้", "หรือยัง", "แล้วหรือยัง", "สถานะ",
             "เช็ค", "เช็ก", "ตรวจสอบ", "ที่ให้", "mine", "my"),
    "ask": ("มี", "อะไรบ้าง", "อะไร", "ไหนบ้าง", "บ้าง", "ไหน", "ไหม", "มั้ย", "มั๊ย", "ไม๊", "หรือเปล่า", "รึเปล่า", "รายการ", "ดู", "ตาราง",
            "ปฏิทิน", "ข่าว", "เปิดรับ", "เปิด", "ใหม่", "list", "any"),
    "report": ("รายงาน", "ผลกิจกรรม", "ผลการดำเนินงาน", "ผลการดำเนินการ", "ผลงาน", "ส่งงาน", "report"),
    "send": ("ส่ง", "ทำ", "กรอก", "เขียน", "แจ้ง", "send"),
    "data": ("ข้อมูล", "ข้อมูลส่วนตัว", "โปรไฟล์", "profile", "data", "details"),
    "field": ("ชื่อ", "นามสกุล", "ตำแหน่ง", "เบอร์โทรศัพท์", "เบอร์โทร", "เบอร์", "โทรศัพท์", "ที่อยู่", "อีเมล",
              "อีเมล์", "phone", "name"),
    "edit": ("แก้ไข", "แก้", "เปลี่ยน", "อัปเดต", "อัพเดท", "อัพเดต", "ปรับปรุง", "edit", "change", "update"),
    "org": ("องค์กร", "มูลนิธิ", "ชมรม", "สมาคม", "เครือข่าย", "หน่วยงาน", "organization", "organisation"),
    "find": ("ค้นหา", "ค้น", "หา", "รายชื่อ", "ติดต่อ", "find", "search"),
    "certificate": ("เกียรติบัตร", "ใบประกาศนียบัตร", "ใบประกาศ", "วุฒิบัตร", "ใบรับรองการอบรม", "certificate"),
    FILLER: ("ขออนุญาต", "ขอ", "อยากจะ", "อยาก", "จะ", "ต้องการ", "รบกวน", "ช่วย", "สนใจ", "ค่ะ", "คะ", "ค่า", "ครับ",
             "ครับผม", "นะคะ", "นะครับ", "นะ", "จ้า", "จ้ะ", "จ๊ะ", "หน่อย", "ด้วยคน", "ด้วย", "ให้", "ได้ที่ไหน", "ที่ไหน",
             "ได้", "ยังไง", "อย่างไร", "แล้ว", "เดือนนี้", "เดือนหน้า", "ช่วงนี้", "ตอนนี้", "วันนี้", "สัปดาห์นี้",
             "อาทิตย์นี้", "ปีนี้", "เร็วๆนี้", "เร็วนี้", "เรา", "ฉัน", "ผม", "หนู", "ดิฉัน", "พี่", "การ", "ที่", "ของ",
             "ใน", "นี้", "ครั้ง", "เดือน", "กิจกรรม", "ว่า", "ตอนไหน", "เมื่อไหร่", "เมื่อไร", "วันไหน", "อำเภอ",
             "จังหวัด", "ตำบล", "แถวนี้", "ใกล้ๆ", "ใกล้", "please", "the", "a", "to", "i", "want", "can", "how"),
}
FRAMES = (
    # 'ขอยกเลิกอบรมค่ะ', 'ไม่สะดวกไปอบรมแล้ว ขอยกเลิก', 'ขอยกเลิกค่ะ ไปไม่ได้แล้ว': the registrations, to cancel
    frame("event.mine", "cancel", "event|register|join|unable"),
    frame("event.mine", "unable", "event|register|join"),  # 'ติดธุระค่ะ ไปอบรมไม่ได้'
    frame("profile.edit", "edit", "data|field"),  # 'เบอร์เปลี่ยนค่ะ', 'ขอแก้ตำแหน่ง'
    frame("cert.mine", "certificate"),  # 'ขอใบประกาศอบรมค่ะ', 'เกียรติบัตรได้ตอนไหนคะ'
    frame("report.start", "report", forbids="ask|mine|cancel"),  # 'ขอรายงานกิจกรรมเดือนนี้ค่ะ', 'ส่งงานค่ะ'
    frame("profile.show", "data", forbids="org|find|event"),  # 'ขอดูข้อมูลที่ลงทะเบียนไว้', 'ข้อมูลที่ให้ไว้'
    frame("profile.show", "data", "ask|mine", forbids="event"),  # 'ดูข้อมูลองค์กร'
    frame("event.mine", "register|event", "mine"),  # 'สมัครอบรมไปแล้วหรือยังคะ', 'เช็คว่าสมัครไว้หรือยัง'
    frame("event.register", "register|join", "event"),  # 'สมัครเข้าอบรมได้ที่ไหนคะ', 'อยากไปอบรมค่ะ'
    frame("event.list", "event", "ask"),  # 'มีอบรมไหมคะ', 'เดือนนี้มีสัมมนาไหม'
    frame("directory", "org", "find|ask|field"),  # 'หาเบอร์มูลนิธิ', 'ขอเบอร์ชมรม', 'มีองค์กรไหนบ้างในอำเภอ'
    # 'ขอสมัครด้วยคนค่ะ' (signed up, with trainings open, the sign-up intent registers for one)
    frame("signup", "register", forbids="event|mine|cancel|join"),
)


def register() -> None:
    """The requests in a member's own words (called by the composition root, bot.wiring)."""
    add_frames(FRAME_WORDS, FRAMES)
