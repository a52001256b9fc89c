/* Installed as var/sao/package/custom.js by `make sao`; sao's index.html
 * loads it after sao itself.
 *
 * sao 8.0 passes some dialog titles untranslated (the user preferences
 * dialog is titled "Preferences"): look every title up in the catalogue
 * (config/sao/vi.po). A title holding "%" is left alone, gettext would take
 * it for a format. */
(function() {
    'use strict';
    var add_title = Sao.Dialog.prototype.add_title;
    Sao.Dialog.prototype.add_title = function(title, small) {
        if ((typeof title == 'string') && !title.includes('%')) {
            title = Sao.i18n.gettext(title);
        }
        return add_title.call(this, title, small);
    };
}());

/* The title bar and the window name the system, not the framework (sao
 * names them "Tryton"): a name, set before any language is known. */
(function() {
    'use strict';
    Sao.config.title = 'Văn phòng điện tử';
    document.title = Sao.config.title;
    jQuery(function() {
        jQuery('#title').text(Sao.config.title);
    });
}());
