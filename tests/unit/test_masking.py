"""Secrets are hidden from results without garbling the words around them (module_utils masking)."""

from ansible.module_utils.edx_provision.masking import SUBSTRING_MARK, WHOLE_MARK, mask_secrets


def test_an_option_value_is_replaced_whole_whatever_its_length():
    masked = mask_secrets({"client_secret": "ab", "password": "a-long-password"}, {"ab", "a-long-password"})
    assert masked == {"client_secret": WHOLE_MARK, "password": WHOLE_MARK}


def test_a_short_value_is_not_hidden_inside_other_words():
    msg = "client_secret must be 16 to 255 printable ASCII characters"
    assert mask_secrets({"msg": msg}, {"ab", "p"}) == {"msg": msg}


def test_a_value_of_a_valid_secrets_length_is_hidden_wherever_it_appears():
    secret = "s3cret-but-shown"
    masked = mask_secrets({"msg": "LMS said: secret=%s;" % secret, "list": [("x" + secret,)]}, [secret])
    assert masked == {"msg": "LMS said: secret=%s;" % SUBSTRING_MARK, "list": [("x" + SUBSTRING_MARK,)]}


def test_a_secret_inside_a_longer_one_leaves_no_piece_of_the_longer_one():
    short, long = "password", "password-and-more"
    assert mask_secrets("got password-and-more", [short, long]) == "got " + SUBSTRING_MARK


def test_values_other_than_text_are_kept():
    assert mask_secrets({"n": 3, "ok": True, "none": None}, {"3"}) == {"n": 3, "ok": True, "none": None}
